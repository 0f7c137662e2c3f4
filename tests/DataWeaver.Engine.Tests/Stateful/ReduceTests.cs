using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Windowing;

namespace DataWeaver.Tests.Stateful;

/// <summary>Windowed reduce, per key and global, against a brute-force reference.</summary>
public sealed class ReduceTests
{
    private static readonly long SizeMs = 10_000;

    [Theory]
    [InlineData(1)]
    [InlineData(257)]
    public async Task ReduceByEventTime_100kOutOfOrderPerKey_EqualsTheBruteForceReference(int batchSize)
    {
        var events = Events(100_000, seed: 4);
        var late = new CollectionSink<DeadLetter>("late");
        var sink = new CollectionSink<WindowOutput<int, (int Key, long Ms, long Value)>>();
        await Pipeline.From(new CollectionSource<(int Key, long Ms, long Value)>(events), new PipelineOptions { BatchSize = batchSize })
            .ReduceByEventTime(
                e => Reading.Epoch.AddMilliseconds(e.Ms),
                e => e.Key,
                static (a, b) => (a.Key, Math.Max(a.Ms, b.Ms), a.Value + b.Value),   // sum, and the newest time
                new WindowOptions { Size = TimeSpan.FromMilliseconds(SizeMs), MaxOutOfOrderness = TimeSpan.FromSeconds(2) })
            .OnError(e => e.DeadLetterTo(late))
            .To(sink)
            .Build()
            .Start()
            .Completion.WaitAsync(TimeSpan.FromMinutes(2));

        var lateSet = late.Records.Select(d => ((ValueTuple<int, long, long>)d.Value!)).ToHashSet();
        Assert.InRange(lateSet.Count, 100, 3_000); // the events 30 s behind
        var expected = events.Where(e => !lateSet.Contains(e))
            .GroupBy(e => (e.Key, Start: e.Ms / SizeMs * SizeMs))
            .Select(g => (g.Key.Key, g.Key.Start, g.Max(e => e.Ms), g.Sum(e => e.Value)))
            .Order()
            .ToList();
        var actual = sink.Records
            .Select(r => (r.Key, (long)(r.Start - Reading.Epoch).TotalMilliseconds, r.Value.Ms, r.Value.Value))
            .Order()
            .ToList();
        Assert.Equal(expected, actual);
        Assert.All(sink.Records, r => Assert.Equal(r.Key, r.Value.Key));
    }

    [Fact]
    public async Task ReduceByEventTime_Global_OneResultPerWindowWithTheMaximum()
    {
        var events = Events(20_000, seed: 9);
        var sink = new CollectionSink<WindowOutput<string, (int Key, long Ms, long Value)>>();
        await Pipeline.From(new CollectionSource<(int Key, long Ms, long Value)>(events))
            .ReduceByEventTime(
                e => Reading.Epoch.AddMilliseconds(e.Ms),
                static (a, b) => b.Value > a.Value ? b : a,
                new WindowOptions { Size = TimeSpan.FromMilliseconds(SizeMs), MaxOutOfOrderness = TimeSpan.FromMinutes(2) })
            .To(sink)
            .Build()
            .Start()
            .Completion.WaitAsync(TimeSpan.FromMinutes(2));

        var expected = events.GroupBy(e => e.Ms / SizeMs * SizeMs).Select(g => (g.Key, g.Max(e => e.Value))).Order().ToList();
        Assert.Equal(expected, sink.Records.Select(r => ((long)(r.Start - Reading.Epoch).TotalMilliseconds, r.Value.Value)).Order().ToList());
        Assert.All(sink.Records, r => Assert.Equal(ReducePipelineBuilderExtensions.GlobalKey, r.Key));
    }

    [Fact]
    public async Task ReduceByEventTime_SessionsThatJoin_FoldInArrivalOrderOfTheirFirstRecords()
    {
        // Two sessions of key "a" (gap 10 s) that a later record bridges: the reducer concatenates, so the order shows.
        (string Key, long Seconds, string Text)[] events = [("a", 0, "1"), ("a", 5, "2"), ("a", 23, "3"), ("a", 14, "4"), ("b", 1, "x")];
        var sink = new CollectionSink<WindowOutput<string, (string Key, long Seconds, string Text)>>();
        await Pipeline.From(new CollectionSource<(string Key, long Seconds, string Text)>(events), new PipelineOptions { BatchSize = 1 })
            .ReduceByEventTime(
                e => Reading.Epoch.AddSeconds(e.Seconds),
                e => e.Key,
                static (x, y) => (x.Key, Math.Max(x.Seconds, y.Seconds), x.Text + y.Text),
                new WindowOptions { Kind = WindowKind.Session, Gap = TimeSpan.FromSeconds(10), MaxOutOfOrderness = TimeSpan.FromMinutes(1) })
            .To(sink)
            .Build()
            .Start()
            .Completion.WaitAsync(TimeSpan.FromMinutes(1));

        var a = Assert.Single(sink.Records, r => r.Key == "a");
        // "4" at 14 s bridges [0, 15) and [23, 33): the session whose first record came first stays on the left.
        Assert.StartsWith("12", a.Value.Text, StringComparison.Ordinal);
        Assert.Equal("1234", string.Concat(a.Value.Text.Order()));
        Assert.Equal(Reading.Epoch, a.Start);
        Assert.Equal(Reading.Epoch.AddSeconds(33), a.End);
        Assert.Equal("x", Assert.Single(sink.Records, r => r.Key == "b").Value.Text);
    }

    [Fact]
    public async Task Reduce_ProcessingTimeGlobal_EmitsEveryRecordFoldedWhenTheSourceEnds()
    {
        var sink = new CollectionSink<WindowOutput<string, long>>();
        await Pipeline.From(new CollectionSource<long>([.. Enumerable.Range(1, 1_000).Select(i => (long)i)]))
            .Reduce(static (a, b) => a + b, new WindowOptions { Size = TimeSpan.FromDays(1) })
            .To(sink)
            .Build()
            .Start()
            .Completion.WaitAsync(TimeSpan.FromMinutes(1));

        // One processing-time day holds the whole run, unless the run straddles midnight UTC: then two windows.
        Assert.Equal(500_500, sink.Records.Sum(r => r.Value));
        Assert.InRange(sink.Records.Count, 1, 2);
    }

    private static (int Key, long Ms, long Value)[] Events(int count, int seed)
    {
        var random = new Random(seed);
        var events = new (int Key, long Ms, long Value)[count];
        for (var i = 0; i < count; i++)
        {
            var slot = i * 3L;
            var ms = i % 100 == 99 ? Math.Max(0, slot - 30_000) : Math.Max(0, slot - random.Next(2_000));
            events[i] = (random.Next(50), ms, random.Next(1_000));
        }

        return events;
    }
}
