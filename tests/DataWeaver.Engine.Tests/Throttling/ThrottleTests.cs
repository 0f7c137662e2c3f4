using System.Threading.Channels;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Errors;
using DataWeaver.Tests.Pipelines;
using DataWeaver.Tests.Stateful;
using DataWeaver.Tests.Support;
using DataWeaver.Throttling;

namespace DataWeaver.Tests.Throttling;

public sealed class ThrottleTests
{
    [Fact]
    public async Task Throttle_WaitOnFakeTime_PassesExactlyTheBucketPerPeriodAndDropsNothing()
    {
        var clock = new ManualTimeProvider();
        var source = new CollectionSource<int>([.. Enumerable.Range(0, 35)]);
        var sink = new CollectionSink<int>();
        var run = Pipeline.From(source, new PipelineOptions { TimeProvider = clock, BatchSize = 8, CommitInterval = TimeSpan.Zero })
            .Throttle(new ThrottleOptions { PermitsPerPeriod = 10, Period = TimeSpan.FromSeconds(1) })
            .To(sink)
            .Build()
            .Start();

        // The bucket starts full (10); then 10 more every second of fake time, and only then.
        foreach (var expected in new[] { 10, 20, 30 })
        {
            await LifecycleTests.WaitUntil(() => sink.Count == expected);
            await Task.Delay(20);
            Assert.Equal(expected, sink.Count);
            clock.Advance(TimeSpan.FromSeconds(1));
        }

        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));
        Assert.Equal(Enumerable.Range(0, 35), sink.Records); // in order, none dropped
        Assert.Equal(0, run.Statistics.RecordsSkipped);
        Assert.Equal(35, source.Committed);
    }

    [Fact]
    public async Task Throttle_WaitWithASlowClock_HoldsTheSourceBack()
    {
        var clock = new ManualTimeProvider();
        var source = new CountingSource(count: 1_000_000);
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(source, new PipelineOptions { TimeProvider = clock, BatchSize = 64, MaxInFlightRecords = 1_024 })
            .Throttle(new ThrottleOptions { PermitsPerPeriod = 100, Period = TimeSpan.FromSeconds(1) })
            .To(sink)
            .Build()
            .Start();

        await LifecycleTests.WaitUntil(() => sink.Count == 100);
        await LifecycleTests.WaitUntil(() => source.Read >= 1_024);
        await Task.Delay(100);

        // Backpressure: the source stopped near the in-flight bound, far below its million.
        Assert.InRange(source.Read, 1_024, 4_096);
        Assert.Equal(100, sink.Count);
        run.Abort();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Completion);
    }

    [Fact]
    public async Task Throttle_Drop_DropsExactlyTheExcessAndCountsIt()
    {
        var clock = new ManualTimeProvider();
        var source = new CollectionSource<int>([.. Enumerable.Range(0, 1_000)]);
        var sink = new CollectionSink<int>();
        var run = Pipeline.From(source, new PipelineOptions { TimeProvider = clock, BatchSize = 100 })
            .Throttle(new ThrottleOptions { PermitsPerPeriod = 5, Burst = 25, OnLimit = ThrottleLimitAction.Drop, Name = "limit" })
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        Assert.Equal(Enumerable.Range(0, 25), sink.Records); // the burst, then nothing on a stopped clock
        Assert.Equal(975, run.Statistics.RecordsSkipped);
        Assert.Equal(1_000, source.Committed); // dropped records count as handled
    }

    [Fact]
    public async Task Throttle_PerKeyDrop_RandomKeys_EqualsTheReference()
    {
        var random = new Random(3);
        var records = Enumerable.Range(0, 50_000).Select(i => (Id: i, Key: random.Next(2_000))).ToList();
        var clock = new ManualTimeProvider();
        var sink = new CollectionSink<(int Id, int Key)>();
        var run = Pipeline.From(new CollectionSource<(int Id, int Key)>(records), new PipelineOptions { TimeProvider = clock, BatchSize = 300 })
            .Throttle(r => r.Key, new ThrottleOptions { PermitsPerPeriod = 1, Burst = 7, OnLimit = ThrottleLimitAction.Drop })
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        // On a stopped clock every key has its burst: the first 7 records of each key pass, in order.
        var seen = new Dictionary<int, int>();
        var expected = records.Where(r => (seen[r.Key] = seen.GetValueOrDefault(r.Key) + 1) <= 7).ToList();
        Assert.Equal(expected, sink.Records);
        Assert.Equal(records.Count - expected.Count, run.Statistics.RecordsSkipped);
    }

    [Fact]
    public async Task Throttle_PerKeyWait_EachKeyAtItsOwnRate()
    {
        var clock = new ManualTimeProvider();
        var channel = Channel.CreateUnbounded<(string Key, int N)>();
        var sink = new CollectionSink<(string Key, int N)>();
        var run = Pipeline.From(new ChannelSource<(string Key, int N)>(channel.Reader), new PipelineOptions { TimeProvider = clock, BatchSize = 16 })
            .Throttle(r => r.Key, new ThrottleOptions { PermitsPerPeriod = 2, Period = TimeSpan.FromSeconds(1) })
            .To(sink)
            .Build()
            .Start();

        // Two keys, 2 permits each: a and b pass together; then a third 'a' waits for the next second.
        foreach (var record in new[] { ("a", 1), ("b", 1), ("a", 2), ("b", 2), ("a", 3), ("b", 3) })
        {
            await channel.Writer.WriteAsync(record);
        }

        await LifecycleTests.WaitUntil(() => sink.Count == 4);
        await Task.Delay(50);
        Assert.Equal([("a", 1), ("b", 1), ("a", 2), ("b", 2)], sink.Records);

        clock.Advance(TimeSpan.FromSeconds(1));
        await LifecycleTests.WaitUntil(() => sink.Count == 6);
        channel.Writer.Complete();
        await run.Completion;
        Assert.Equal([("a", 1), ("b", 1), ("a", 2), ("b", 2), ("a", 3), ("b", 3)], sink.Records);
    }

    [Fact]
    public void Throttle_InvalidOptions_ListsEveryFailure()
    {
        var error = Assert.Throws<PipelineConfigurationException>(() => Pipeline.From(new CollectionSource<int>([]))
            .Throttle(new ThrottleOptions { PermitsPerPeriod = 0, Period = TimeSpan.Zero, Burst = 0, Name = "t" })
            .To(new CollectionSink<int>())
            .Build());

        Assert.Contains("PermitsPerPeriod", error.Message, StringComparison.Ordinal);
        Assert.Contains("Period must", error.Message, StringComparison.Ordinal);
        Assert.Contains("Burst", error.Message, StringComparison.Ordinal);
    }
}
