using DataWeaver.Pipelines;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Pipelines;

public sealed class BackpressureTests
{
    [Theory]
    [InlineData(512, 64)]
    [InlineData(2048, 256)]
    public async Task Run_SinkHundredsOfTimesSlowerThanSource_RecordsInFlightNeverExceedCapacity(int capacity, int batchSize)
    {
        // The sink waits ~1 ms per batch (several µs per record); the source produces a record in well under 0.1 µs.
        var sink = new SlowSink<long>(TimeSpan.FromMilliseconds(1));
        var source = new CountingSource(count: 20_000, written: () => sink.Written);
        // Blocks could queue four times the capacity: the pipeline's in-flight bound is what must hold the source back.
        var options = new PipelineOptions { BatchSize = batchSize, MaxInFlightRecords = capacity, DefaultStageCapacity = capacity * 4 };
        var run = Pipeline.From(source, options).Map(x => x + 1).Filter(x => x >= 0).To(sink).Build().Start();

        await run.Completion;

        Assert.Equal(20_000, sink.Written);
        Assert.InRange(source.MaxAhead, capacity / 2, capacity);
        Assert.InRange(run.Statistics.PeakRecordsInFlight, capacity / 2, capacity);
    }

    [Fact]
    public async Task Run_ParallelUnorderedStageWithSlowSink_RecordsInFlightNeverExceedCapacity()
    {
        var sink = new SlowSink<long>(TimeSpan.FromMilliseconds(1));
        var source = new CountingSource(count: 10_000, written: () => sink.Written);
        var options = new PipelineOptions { BatchSize = 32, MaxInFlightRecords = 256 };
        var run = Pipeline.From(source, options)
            .Parallel(4, StageOrdering.Unordered).Map(x => x * 2)
            .To(sink)
            .Build()
            .Start();

        await run.Completion;

        Assert.Equal(10_000, sink.Written);
        Assert.InRange(source.MaxAhead, 1, 256);
        Assert.Equal(Enumerable.Range(0, 10_000).Select(i => i * 2L), sink.Records.Order());
    }
}
