using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Pipelines;

public sealed class BatchStageTests
{
    [Fact]
    public async Task Batch_BySize_SinkGetsFullBatchesAndTheRemainderLast()
    {
        var sink = new BatchSizeSink<int>();
        var input = Enumerable.Range(0, 1_050).ToArray();

        await Pipeline.From(new CollectionSource<int>(input)).Batch(100).To(sink).Build().RunAsync();

        Assert.Equal([.. Enumerable.Repeat(100, 10), 50], sink.Sizes);
        Assert.Equal(input, sink.Records);
    }

    [Fact]
    public async Task Batch_LargerThanSourceBatches_MergesAcrossSourceBatches()
    {
        var sink = new BatchSizeSink<int>();
        var input = Enumerable.Range(0, 10_000).ToArray();

        var run = Pipeline.From(new CollectionSource<int>(input), new PipelineOptions { BatchSize = 64 }).Batch(3_000).To(sink).Build().Start();
        await run.Completion;

        Assert.Equal([3_000, 3_000, 3_000, 1_000], sink.Sizes);
        Assert.Equal(input, sink.Records);
        Assert.Equal(10_000, Assert.Single(run.AcknowledgedPositions).Offset);
    }

    [Fact]
    public async Task Batch_WindowPasses_FlushesPartialBatchWithoutWaitingForMoreRecords()
    {
        var clock = new ManualTimeProvider();
        var channel = Channel.CreateUnbounded<int>();
        var sink = new BatchSizeSink<int>();
        var run = Pipeline.From(new ChannelSource(channel.Reader), new PipelineOptions { TimeProvider = clock })
            .Batch(1_000, TimeSpan.FromSeconds(1))
            .To(sink)
            .Build()
            .Start();
        for (var i = 0; i < 10; i++)
        {
            await channel.Writer.WriteAsync(i);
        }

        // The records reach the batching block; nothing flushes until the window passes.
        await LifecycleTests.WaitUntil(() => run.Statistics.RecordsRead == 10);
        Assert.Empty(sink.Sizes);
        while (sink.Sizes.Count == 0)
        {
            clock.Advance(TimeSpan.FromSeconds(1));
            await Task.Delay(1);
        }

        Assert.Equal([10], sink.Sizes);
        channel.Writer.Complete();
        await run.Completion;
        Assert.Equal(Enumerable.Range(0, 10), sink.Records);
    }

    [Fact]
    public async Task Batch_FilterKeepsOneRecordPerSourceBatch_FlushesEarlyInsteadOfStalling()
    {
        // Each kept record pins the credits of its whole 1,024-record source batch: 100 of them would pin
        // 102,400 credits, more than the 65,536 in flight allowed. The batch must flush early, not stall.
        var sink = new BatchSizeSink<long>();
        var input = Enumerable.Range(0, 1_000_000).Select(i => (long)i).ToArray();
        var run = Pipeline.From(new CollectionSource<long>(input)).Filter(x => x % 1024 == 0).Batch(100).To(sink).Build().Start();

        await run.Completion.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(input.Where(x => x % 1024 == 0), sink.Records);
        Assert.All(sink.Sizes, size => Assert.InRange(size, 1, 100));
        Assert.Equal(1_000_000, Assert.Single(run.AcknowledgedPositions).Offset);
    }

    [Fact]
    public async Task StopAsync_BatchHoldingEveryCredit_DrainsAndDeliversEverythingRead()
    {
        var sink = new BatchSizeSink<long>();
        var source = new CountingSource();
        var options = new PipelineOptions { BatchSize = 100, MaxInFlightRecords = 1_000 };
        var run = Pipeline.From(source, options).Filter(x => x % 50 == 0).Batch(1_000).To(sink).Build().Start();
        await LifecycleTests.WaitUntil(() => sink.Records.Count > 10);

        await run.StopAsync().WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(PipelineState.Stopped, run.State);
        Assert.Equal(Enumerable.Range(0, (int)source.Read).Where(x => x % 50 == 0).Select(x => (long)x), sink.Records);
        Assert.Equal(source.Read, Assert.Single(run.AcknowledgedPositions).Offset);
    }

    private sealed class ChannelSource(ChannelReader<int> reader) : SourceConnector<int>("channel")
    {
        public override async IAsyncEnumerable<int> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var item in reader.ReadAllAsync(cancellationToken))
            {
                yield return item;
            }
        }
    }
}
