using System.Text.Json;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Joins;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Tests.Pipelines;
using DataWeaver.Windowing;

namespace DataWeaver.Tests.Joins;

public sealed class StreamJoinTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(StreamJoinKind.Inner, 1)]
    [InlineData(StreamJoinKind.Left, 1)]
    [InlineData(StreamJoinKind.Inner, 257)]
    [InlineData(StreamJoinKind.Left, 257)]
    public async Task StreamJoin_RandomOutOfOrderEventsWithLateOnes_EqualsTheBruteForceReference(StreamJoinKind kind, int batchSize)
    {
        var events = RandomEvents(30_000, seed: batchSize + (int)kind, disorderMs: 1_500, lateEvery: 100);
        var window = TimeSpan.FromMilliseconds(400);
        var disorder = TimeSpan.FromSeconds(2);
        var (expected, late) = Reference(events, window, disorder, kind);
        Assert.InRange(late.Count, 150, 600); // about 1% late
        Assert.InRange(expected.Count, 2_000, 40_000);

        var sink = new CollectionSink<(int Left, int Right)>();
        var deadLetters = new CollectionSink<DeadLetter>("late");
        var source = new CollectionSource<Ev>(events);
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = batchSize })
            .StreamJoin(e => e.Left, e => e.Key, e => Epoch.AddMilliseconds(e.Ms), (l, r) => (l.Id, r?.Id ?? -1),
                new StreamJoinOptions { Window = window, MaxOutOfOrderness = disorder, Kind = kind })
            .OnError(e => e.DeadLetterTo(deadLetters))
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        Assert.Equal(expected.Order(), sink.Records.Order()); // the same multiset: no pair lost or repeated
        Assert.Equal(late.Order(), deadLetters.Records.Select(d => ((Ev)d.Value!).Id).Order());
        Assert.All(deadLetters.Records, d => Assert.IsType<LateRecordException>(d.Exception));
        Assert.Equal(events.Count, source.Committed);
    }

    [Fact]
    public async Task StreamJoin_TwoMergedSources_PairsEqualTheReference()
    {
        var events = RandomEvents(10_000, seed: 5, disorderMs: 0, lateEvery: 0);
        var lefts = events.Where(e => e.Left).ToList();
        var rights = events.Where(e => !e.Left).ToList();
        var window = TimeSpan.FromMilliseconds(300);
        // The two sources are read concurrently: the out-of-orderness covers how far one may run ahead (here: all of it).
        var disorder = TimeSpan.FromDays(1);
        var (expected, _) = Reference(events, window, disorder, StreamJoinKind.Left);

        var sink = new CollectionSink<(int Left, int Right)>();
        var left = new CollectionSource<Ev>(lefts, "orders");
        var right = new CollectionSource<Ev>(rights, "payments");
        await Pipeline.Merge([left, right], new PipelineOptions { BatchSize = 100 })
            .StreamJoin(e => e.Left, e => e.Key, e => Epoch.AddMilliseconds(e.Ms), (l, r) => (l.Id, r?.Id ?? -1),
                new StreamJoinOptions { Window = window, MaxOutOfOrderness = disorder, Kind = StreamJoinKind.Left })
            .To(sink)
            .Build()
            .RunAsync();

        Assert.Equal(expected.Order(), sink.Records.Order());
        Assert.Equal(lefts.Count, left.Committed);
        Assert.Equal(rights.Count, right.Committed);
    }

    [Theory]
    [InlineData(false)] // a stop (drain)
    [InlineData(true)]  // an abort, as a crash
    public async Task StreamJoin_StopMidStreamThenRestart_LosesNoPair(bool abort)
    {
        var dir = Directory.CreateTempSubdirectory("dw-join-");
        try
        {
            var path = Path.Combine(dir.FullName, "events.jsonl");
            var events = RandomEvents(3_000, seed: 9, disorderMs: 500, lateEvery: 0);
            await File.WriteAllTextAsync(path, string.Concat(events.Select(e => JsonSerializer.Serialize(e) + "\n")));
            var length = new FileInfo(path).Length;
            var window = TimeSpan.FromMilliseconds(300);
            var disorder = TimeSpan.FromSeconds(1);
            var (expected, late) = Reference(events, window, disorder, StreamJoinKind.Inner);
            Assert.Empty(late);
            var store = new InMemoryCheckpointStore();

            var sink1 = new CollectionSink<(int Left, int Right)>();
            var source1 = new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = store, Follow = true, PollInterval = TimeSpan.FromMilliseconds(20) });
            var run1 = Build(source1, sink1).Start();
            await LifecycleTests.WaitUntil(() => sink1.Count >= expected.Count / 2);
            if (abort)
            {
                run1.Abort();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run1.Completion);
            }
            else
            {
                await run1.StopAsync();
            }

            // Progress was committed, but never past the records the join still held.
            Assert.InRange(source1.CommittedOffset, 1, length - 1);

            var sink2 = new CollectionSink<(int Left, int Right)>();
            await Build(new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = store }), sink2).RunAsync();

            // Every pair of the no-crash run is in the output of the two runs (an at-least-once sink may see some twice).
            var all = sink1.Records.Concat(sink2.Records).ToHashSet();
            Assert.Equal(expected.Order(), all.Order());
            Assert.True(sink2.Count < expected.Count, "the restart recomputed only the tail");

            Pipeline Build(JsonLinesSource source, CollectionSink<(int Left, int Right)> sink) =>
                Pipeline.From(source, new PipelineOptions { BatchSize = 1, CommitInterval = TimeSpan.Zero })
                    .Map(r => JsonSerializer.Deserialize<Ev>(r.Value.Span)!)
                    .StreamJoin(e => e.Left, e => e.Key, e => Epoch.AddMilliseconds(e.Ms), (l, r) => (l.Id, r!.Id),
                        new StreamJoinOptions { Window = window, MaxOutOfOrderness = disorder })
                    .To(sink)
                    .Build();
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task StreamJoin_StatePastTheBudget_FailsWithJoinStateFullAndCommitsNothingHeld()
    {
        // A window of a day: nothing leaves the state; 100 bytes or more a record pass 64 KiB within about 650 records.
        var events = Enumerable.Range(0, 5_000).Select(i => new Ev(i, i % 2 == 0, i, i)).ToList();
        var source = new CollectionSource<Ev>(events);
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 10, CommitInterval = TimeSpan.Zero })
            .StreamJoin(e => e.Left, e => e.Key, e => Epoch.AddMilliseconds(e.Ms), (l, r) => l.Id,
                new StreamJoinOptions { Window = TimeSpan.FromDays(1), StateBudgetBytes = 64 * 1024, Name = "pairs" })
            .To(new CollectionSink<int>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<JoinStateFullException>(() => run.Completion);
        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        Assert.Contains("'pairs'", error.Message, StringComparison.Ordinal);
        Assert.Contains("65536 bytes", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, source.Committed);
    }

    /// <summary>Random events 10 ms apart, each up to <paramref name="disorderMs"/> early, every <paramref name="lateEvery"/>th a minute behind.</summary>
    internal static List<Ev> RandomEvents(int count, int seed, int disorderMs, int lateEvery)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i =>
        {
            var ms = (i * 10L) + 60_000 - random.Next(disorderMs + 1);
            if (lateEvery > 0 && random.Next(lateEvery) == 0)
            {
                ms -= 60_000;
            }

            return new Ev(i, random.Next(2) == 0, random.Next(150), ms);
        })];
    }

    /// <summary>
    /// The brute-force reference: the watermark record by record (a record older than it is late), then every pair of
    /// accepted left and right records with equal keys at most the window apart, and for a left join every accepted left
    /// record that has none.
    /// </summary>
    internal static (List<(int Left, int Right)> Pairs, List<int> Late) Reference(List<Ev> events, TimeSpan window, TimeSpan disorder, StreamJoinKind kind)
    {
        var watermark = long.MinValue;
        List<Ev> accepted = [];
        List<int> late = [];
        foreach (var e in events)
        {
            var at = e.Ms * TimeSpan.TicksPerMillisecond;
            if (at < watermark)
            {
                late.Add(e.Id);
                continue;
            }

            accepted.Add(e);
            watermark = Math.Max(watermark, at - disorder.Ticks);
        }

        List<(int, int)> pairs = [];
        foreach (var group in accepted.GroupBy(e => e.Key))
        {
            var rights = group.Where(e => !e.Left).ToList();
            foreach (var l in group.Where(e => e.Left))
            {
                var matched = false;
                foreach (var r in rights)
                {
                    if (Math.Abs(l.Ms - r.Ms) * TimeSpan.TicksPerMillisecond <= window.Ticks)
                    {
                        pairs.Add((l.Id, r.Id));
                        matched = true;
                    }
                }

                if (!matched && kind == StreamJoinKind.Left)
                {
                    pairs.Add((l.Id, -1));
                }
            }
        }

        return (pairs, late);
    }

    /// <summary>One event of the join tests: left (an order) or right (a payment), a key and an event time in ms.</summary>
    internal sealed record Ev(int Id, bool Left, int Key, long Ms);
}
