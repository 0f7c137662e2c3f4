using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Tests.Pipelines;
using DataWeaver.Tests.Support;
using DataWeaver.Windowing;

namespace DataWeaver.Tests.Stateful;

public sealed class WindowTests
{
    [Fact]
    public async Task TumblingWindow_ProcessingTime_EmitsWhenTheClockPassesTheEndAndOnlyThenAcknowledges()
    {
        var clock = new ManualTimeProvider();
        var channel = Channel.CreateUnbounded<Reading>();
        var sink = new CollectionSink<WindowResult<string>>();
        var run = Pipeline.From(new ChannelSource<Reading>(channel.Reader), new PipelineOptions { TimeProvider = clock })
            .TumblingWindow(r => r.Key, r => r.Value, new TumblingWindowOptions { Size = TimeSpan.FromMinutes(1) })
            .To(sink)
            .Build()
            .Start();

        foreach (var (key, value) in new[] { ("a", 1.0), ("b", 10.0), ("a", 5.0), ("a", 3.0) })
        {
            await channel.Writer.WriteAsync(new Reading(key, 0, value));
        }

        await LifecycleTests.WaitUntil(() => run.Statistics.RecordsRead == 4);
        await Task.Delay(50);
        Assert.Empty(sink.Records);
        Assert.Empty(run.AcknowledgedPositions); // the records are folded, not acknowledged

        clock.Advance(TimeSpan.FromMinutes(1));
        await LifecycleTests.WaitUntil(() => run.AcknowledgedPositions.Count == 1);
        var start = clock.GetUtcNow().AddMinutes(-1);
        Assert.Equal(
            [new("a", start, start.AddMinutes(1), 3, 9, 1, 5) { First = 1, Last = 3 }, new WindowResult<string>("b", start, start.AddMinutes(1), 1, 10, 10, 10) { First = 10, Last = 10 }],
            sink.Records.OrderBy(r => r.Key));
        Assert.Equal(3.0, sink.Records.Single(r => r.Key == "a").Average);
        Assert.Equal(new SourcePosition(0, 4), run.AcknowledgedPositions[0]);

        channel.Writer.Complete();
        await run.Completion;
    }

    [Fact]
    public async Task TumblingWindowByEventTime_OutOfOrderWithLateRecords_EqualsTheBruteForceReference()
    {
        const int Count = 200_000;
        var size = TimeSpan.FromSeconds(10);
        var disorder = TimeSpan.FromSeconds(2);
        var events = RandomEvents(Count, seed: 11, disorderMs: 2_000, lateEvery: 100, lateByMs: 30_000);
        var (expected, late) = Reference(events, size, disorder);
        Assert.InRange(late.Count, Count / 200, Count / 50); // about 1% late

        var sink = new CollectionSink<WindowResult<int>>();
        var deadLetters = new CollectionSink<DeadLetter>("late");
        var source = new CollectionSource<(int Key, long Ms, long Value)>(events);
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 333 })
            .TumblingWindowByEventTime(
                e => Reading.Epoch.AddMilliseconds(e.Ms),
                e => e.Key,
                e => e.Value,
                new TumblingWindowOptions { Size = size, MaxOutOfOrderness = disorder, Name = "per-key" })
            .OnError(e => e.DeadLetterTo(deadLetters))
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        var actual = sink.Records.Select(r => (r.Key, r.Start, r.Count, r.Sum, r.Min, r.Max)).Order().ToList();
        Assert.Equal(expected.Order().ToList(), actual);
        Assert.Equal(late.Order(), deadLetters.Records.Select(d => ((ValueTuple<int, long, long>)d.Value!).Item2).Order());
        Assert.All(deadLetters.Records, d => Assert.IsType<LateRecordException>(d.Exception));
        Assert.Equal(new SourcePosition(0, Count), Assert.Single(run.AcknowledgedPositions));
    }

    [Theory]
    [InlineData(5_000)] // periodic commits: credits come back on acknowledgement
    [InlineData(0)]     // continuous commits: credits come back only once committed
    public async Task TumblingWindow_OpenWindowHoldsFarMoreThanTheInFlightBound_SourceIsNotStalled(int commitIntervalMs)
    {
        const int Count = 50_000;
        var clock = new ManualTimeProvider();
        var sink = new CollectionSink<WindowResult<long>>();
        var source = new CountingSource(count: Count);
        var run = Pipeline.From(source, new PipelineOptions { TimeProvider = clock, BatchSize = 128, MaxInFlightRecords = 1_024, CommitInterval = TimeSpan.FromMilliseconds(commitIntervalMs) })
            .TumblingWindow(id => id % 10, id => id, new TumblingWindowOptions { Size = TimeSpan.FromHours(1) })
            .To(sink)
            .Build()
            .Start();

        // Every record folds into one open window; without early credits the source would stop at 1,024 records.
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(10, sink.Records.Count);
        Assert.Equal(Count, sink.Records.Sum(r => r.Count));
        Assert.Equal((long)Count * (Count - 1) / 2, (long)sink.Records.Sum(r => r.Sum));
        Assert.Equal(new SourcePosition(0, Count), source.Commits.Last());
    }

    [Fact]
    public async Task TumblingWindow_StateFull_FailsAndCommitsNothingOfTheOpenWindows()
    {
        var source = new CountingSource(count: 10_000);
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero })
            .TumblingWindow(id => id, id => id, new TumblingWindowOptions { Size = TimeSpan.FromHours(1), MaxKeys = 1_000, Name = "counts" })
            .To(new CollectionSink<WindowResult<long>>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<WindowStateFullException>(() => run.Completion);
        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        Assert.Contains("'counts'", error.Message, StringComparison.Ordinal);
        Assert.Empty(source.Commits);
    }

    [Theory]
    [InlineData(false)] // a stop (drain)
    [InlineData(true)]  // an abort, as a crash: nothing in flight finishes
    public async Task TumblingWindowByEventTime_StopMidWindowThenRestart_LosesNoRecord(bool abort)
    {
        var dir = Directory.CreateTempSubdirectory("dw-window-");
        try
        {
            var path = Path.Combine(dir.FullName, "in.jsonl");
            var store = new InMemoryCheckpointStore();
            var size = TimeSpan.FromMinutes(1);

            // Window A [0, 60) and, after two records of B [60, 120), a straggler of A within the disorder bound.
            List<Reading> first = [.. Enumerable.Range(0, 50).Select(s => new Reading(s % 2 == 0 ? "x" : "y", s, 1))];
            first.AddRange([new("x", 60, 1), new("y", 61, 1), new("x", 55, 1)]);
            first.AddRange(Enumerable.Range(62, 14).Select(s => new Reading("y", s, 1))); // up to 75: watermark 65 closes A
            await File.WriteAllTextAsync(path, Lines(first));
            var firstB = Encoding.UTF8.GetByteCount(Lines(first[..50]));

            // Run 1 follows the file and is stopped with B open.
            var sink1 = new CollectionSink<WindowResult<string>>();
            var source1 = new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = store, Follow = true, PollInterval = TimeSpan.FromMilliseconds(20) });
            var run1 = Build(source1, sink1).Start();
            await LifecycleTests.WaitUntil(() => run1.Statistics.RecordsRead == first.Count && sink1.Records.Count == 2);
            if (abort)
            {
                run1.Abort();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run1.Completion);
            }
            else
            {
                await run1.StopAsync();
            }

            Assert.Equal([("x", 26L), ("y", 25L)], sink1.Records.Select(r => (r.Key, r.Count)).Order());

            // The commit stops at B's first record: everything before it was emitted and written, B was not.
            Assert.Equal(firstB, source1.CommittedOffset); // A was written before the stop or abort (the wait above)
            Assert.NotEmpty(store.Keys);

            // More input; run 2 resumes from the commit and reads to the end, emitting every window.
            List<Reading> second = [.. Enumerable.Range(76, 4).Select(s => new Reading("x", s, 1)), .. Enumerable.Range(120, 6).Select(s => new Reading("y", s, 1))];
            await File.AppendAllTextAsync(path, Lines(second));
            var sink2 = new CollectionSink<WindowResult<string>>();
            await Build(new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = store }), sink2).RunAsync();

            // A sink that keeps the first result per (key, window) holds exactly the no-crash run's results.
            var all = first.Concat(second).ToList();
            var reference = all.GroupBy(r => (r.Key, Start: r.Seconds / 60 * 60)).ToDictionary(g => g.Key, g => (long)g.Count());
            var firstWins = sink1.Records.Concat(sink2.Records)
                .GroupBy(r => (r.Key, Start: (long)(r.Start - Reading.Epoch).TotalSeconds))
                .ToDictionary(g => g.Key, g => g.First().Count);
            Assert.Equal(reference.OrderBy(p => p.Key), firstWins.OrderBy(p => p.Key));
            Assert.Equal(all.Count, firstWins.Values.Sum()); // records lost: 0

            // Documented: the straggler of A, re-read after the commit, makes run 2 emit A again with only itself.
            Assert.Contains(sink2.Records, r => r.Key == "x" && r.Start == Reading.Epoch && r.Count == 1);
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        static Pipeline Build(JsonLinesSource source, CollectionSink<WindowResult<string>> sink) =>
            // One record per source batch: acknowledgement is per source batch, so this makes the commit exact.
            Pipeline.From(source, new PipelineOptions { BatchSize = 1, CommitInterval = TimeSpan.Zero })
                .Map(r => JsonSerializer.Deserialize<Reading>(r.Value.Span))
                .TumblingWindowByEventTime(r => r.Time, r => r.Key, r => r.Value, new TumblingWindowOptions { Size = TimeSpan.FromMinutes(1), MaxOutOfOrderness = TimeSpan.FromSeconds(10) })
                .To(sink)
                .Build();
    }

    private static string Lines(IEnumerable<Reading> readings) =>
        string.Concat(readings.Select(r => JsonSerializer.Serialize(r) + "\n"));

    /// <summary>Events a millisecond-ish apart with bounded disorder, and every Nth event far beyond it.</summary>
    internal static (int Key, long Ms, long Value)[] RandomEvents(int count, int seed, int disorderMs, int lateEvery, int lateByMs)
    {
        var random = new Random(seed);
        var events = new (int, long, long)[count];
        for (var i = 0; i < count; i++)
        {
            var ms = (i * 5L) + 100_000 - random.Next(disorderMs + 1);
            if (random.Next(lateEvery) == 0)
            {
                ms -= lateByMs;
            }

            events[i] = (random.Next(20), ms, random.Next(1_000));
        }

        return events;
    }

    /// <summary>The brute-force reference: per-record watermark, a record is late when its window ended at or before it.</summary>
    internal static (List<(int Key, DateTimeOffset Start, long Count, double Sum, double Min, double Max)> Results, List<long> Late) Reference(
        (int Key, long Ms, long Value)[] events, TimeSpan size, TimeSpan disorder)
    {
        var sizeMs = (long)size.TotalMilliseconds;
        var watermark = long.MinValue;
        var windows = new Dictionary<(int, long), (long Count, double Sum, double Min, double Max)>();
        var late = new List<long>();
        var epochMs = Reading.Epoch.ToUnixTimeMilliseconds();
        foreach (var (key, ms, value) in events)
        {
            var abs = epochMs + ms;
            var start = abs - (((abs % sizeMs) + sizeMs) % sizeMs);
            if (start + sizeMs <= watermark)
            {
                late.Add(ms);
                continue;
            }

            windows[(key, start)] = windows.TryGetValue((key, start), out var a)
                ? (a.Count + 1, a.Sum + value, Math.Min(a.Min, value), Math.Max(a.Max, value))
                : (1, value, value, value);
            watermark = Math.Max(watermark, abs - (long)disorder.TotalMilliseconds);
        }

        return ([.. windows.Select(w => (w.Key.Item1, DateTimeOffset.FromUnixTimeMilliseconds(w.Key.Item2), w.Value.Count, w.Value.Sum, w.Value.Min, w.Value.Max))], late);
    }
}
