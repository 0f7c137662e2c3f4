using DataWeaver.Connectors.Memory;
using DataWeaver.Diagnostics;
using DataWeaver.Pipelines;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Diagnostics;

public sealed class BlockStatisticsTests
{
    [Fact]
    public async Task Statistics_BranchingPipeline_HasOneEntryPerDescribedBlockWithRecordsProcessed()
    {
        const int Count = 20_000;
        var all = new CollectionSink<int>("all");
        var even = new CollectionSink<int>("even");
        var pipeline = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, Count).ToArray()), new PipelineOptions { BatchSize = 100 })
            .Map(x => x * 3, name: "triple")
            .Parallel(2)
            .Map(x => x + 1, name: "inc")
            .Batch(250)
            .Broadcast(
                b => b.To(all),
                b => b.Filter(x => x % 2 == 0, name: "keep-even").To(even, new StageOptions { DegreeOfParallelism = 2 }))
            .Build();
        var graph = pipeline.Describe();

        var run = pipeline.Start();
        await run.Completion;
        var blocks = run.Statistics.Blocks;

        Assert.Equal(graph.Blocks.Select(b => (b.Id, b.Name, b.Kind, b.DegreeOfParallelism, b.BoundedCapacity, b.CapacityRecords)),
            blocks.Select(b => (b.Id, b.Name, b.Kind, b.DegreeOfParallelism, b.CapacityBatches, b.CapacityRecords)));
        var processed = blocks.ToDictionary(b => b.Name, b => b.RecordsProcessed);
        Assert.Equal(Count, processed["collection"]);
        Assert.Equal(Count, processed["triple"]);
        Assert.Equal(Count, processed["parallel2"]);
        Assert.Equal(Count, processed["batch4"]);
        Assert.Equal(Count, blocks.Single(b => b.Kind == GraphBlockKind.FanOut).RecordsProcessed);
        Assert.Equal(Count, processed["all"]);
        Assert.Equal(Count, processed["keep-even"]);
        Assert.Equal(Count / 2, processed["even"]);
        Assert.Equal(Count / 2, even.Records.Count);
        Assert.All(blocks, b => Assert.Equal((0, 0L), (b.QueuedBatches, b.QueuedRecords)));
    }

    [Fact]
    public async Task Statistics_KeyOrderedLanes_CountEveryLaneInOneBlock()
    {
        var pipeline = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 5_000).ToArray()), new PipelineOptions { BatchSize = 64 })
            .ParallelByKey(4, x => x % 7)
            .Map(x => x, name: "same")
            .To(new CollectionSink<int>("out"))
            .Build();

        var run = pipeline.Start();
        await run.Completion;

        var lanes = run.Statistics.Blocks[1];
        Assert.Equal((GraphBlockKind.Transform, 4, 5_000L, 0), (lanes.Kind, lanes.DegreeOfParallelism, lanes.RecordsProcessed, lanes.CapacityBatches));
        Assert.Equal(0, lanes.QueueFill);
    }

    [Fact]
    public async Task BusyTime_MapTakingOneMillisecondPerRecordOnTheClock_IsExactlyOneMillisecondPerRecord()
    {
        const int Count = 3_000;
        var clock = new ManualTimeProvider();
        var options = new PipelineOptions { BatchSize = 100, TimeProvider = clock, CommitInterval = Timeout.InfiniteTimeSpan };
        var pipeline = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, Count).ToArray()), options)
            .Map(x =>
            {
                clock.Advance(TimeSpan.FromMilliseconds(1)); // the only thing that moves the clock
                return x;
            }, name: "slow")
            .To(new CollectionSink<int>("out"))
            .Build();

        var run = pipeline.Start();
        await run.Completion;
        var statistics = run.Statistics;

        var slow = statistics.Blocks.Single(b => b.Name == "slow");
        Assert.Equal(TimeSpan.FromMilliseconds(Count), slow.BusyTime);
        Assert.Equal(TimeSpan.FromMilliseconds(Count), statistics.Elapsed);
        Assert.Equal(1.0, slow.BusyShareSince(default, statistics.Elapsed));
        Assert.All(statistics.Blocks, b => Assert.InRange(b.BusyTime, TimeSpan.Zero, TimeSpan.FromMilliseconds(Count)));
    }

    [Fact]
    public async Task Statistics_SinkBlockedWithFourBatchesWaiting_ReportsQueueFillAndQueuedRecords()
    {
        var sink = new GatedSink<int>(freeBatches: 0, name: "gated");
        var run = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 50).ToArray()), new PipelineOptions { BatchSize = 10 })
            .Map(x => x, name: "copy")
            .To(sink, new StageOptions { Capacity = 100 })
            .Build()
            .Start();
        await sink.Blocked;
        await MetricsTests.WaitUntil(() => run.Statistics.Blocks[2].QueuedBatches == 4 && run.Statistics.Blocks[1].RecordsProcessed == 50);

        var gated = run.Statistics.Blocks[2];
        Assert.Equal((4, 40L, 10, 10L), (gated.QueuedBatches, gated.QueuedRecords, gated.CapacityBatches, gated.RecordsProcessed));
        Assert.Equal(0.4, gated.QueueFill);
        Assert.Equal(50, run.Statistics.RecordsInFlight);

        sink.Open();
        await run.Completion;
        Assert.Equal(50, run.Statistics.Blocks[2].RecordsProcessed);
    }

    [Theory]
    [InlineData(2, 1, 4, 0.5)]   // 2 s busy over 1 s with 4 workers
    [InlineData(3, 1, 1, 1.0)]   // clamped
    [InlineData(1, 0, 1, 0.0)]   // no interval
    public void BusyShareSince_BusyTimeAdded_IsBusyOverIntervalAndWorkers(int busySeconds, int intervalSeconds, int workers, double expected)
    {
        var earlier = new BlockStatistics { DegreeOfParallelism = workers, BusyTime = TimeSpan.FromSeconds(10) };
        var later = earlier with { BusyTime = TimeSpan.FromSeconds(10 + busySeconds) };

        Assert.Equal(expected, later.BusyShareSince(earlier, TimeSpan.FromSeconds(intervalSeconds)));
    }
}
