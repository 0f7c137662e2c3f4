using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;

namespace DataWeaver.Tests.Pipelines;

/// <summary>The batch and block defaults (batches of 4,096 since issue 13) and how they follow the bounds a user sets.</summary>
public sealed class DefaultOptionsTests
{
    [Fact]
    public void New_NothingSet_BatchesOf4096AndFourPerBlock()
    {
        var options = new PipelineOptions();

        Assert.Equal(4096, options.BatchSize);
        Assert.Equal(16_384, options.DefaultStageCapacity);
        Assert.Equal(65_536, options.MaxInFlightRecords);
    }

    [Fact]
    public async Task BatchSize_MaxInFlightRecordsBelowTheDefault_FollowsTheBoundAndRuns()
    {
        var options = new PipelineOptions { MaxInFlightRecords = 1024 };
        var sink = new CollectionSink<int>();

        await Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 5000).ToArray()), options).To(sink).Build().RunAsync();

        Assert.Equal(1024, options.BatchSize);
        Assert.Equal(4096, options.DefaultStageCapacity);
        Assert.Equal(Enumerable.Range(0, 5000), sink.Records);
    }

    [Theory]
    [InlineData(64, 4096)]
    [InlineData(1024, 4096)]
    [InlineData(2048, 8192)]
    [InlineData(65_536, 262_144)]
    public void DefaultStageCapacity_BatchSizeSet_FourBatchesAndAtLeast4096(int batchSize, int expected)
    {
        Assert.Equal(expected, new PipelineOptions { BatchSize = batchSize, MaxInFlightRecords = 1 << 20 }.DefaultStageCapacity);
    }

    [Fact]
    public void With_ExplicitValues_KeptOverTheDerivedDefaults()
    {
        var options = new PipelineOptions { BatchSize = 100, DefaultStageCapacity = 300 } with { MaxInFlightRecords = 200 };

        Assert.Equal(100, options.BatchSize);
        Assert.Equal(300, options.DefaultStageCapacity);
    }
}
