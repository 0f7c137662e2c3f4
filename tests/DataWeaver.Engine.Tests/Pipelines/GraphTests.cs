using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;

namespace DataWeaver.Tests.Pipelines;

public sealed class GraphTests
{
    private static readonly CollectionSource<int> Source = new([1, 2, 3]);

    [Fact]
    public void Describe_MapFilterMap_CompilesToOneFusedBlock()
    {
        var graph = Pipeline.From(Source)
            .Map(x => x + 1)
            .Filter(x => x > 1)
            .Map(x => x.ToString())
            .To(new CollectionSink<string>("out"))
            .Build()
            .Describe();

        var transform = Assert.Single(graph.TransformBlocks);
        Assert.Equal(["map1", "filter2", "map3"], transform.Operators);
        Assert.Equal([GraphBlockKind.Source, GraphBlockKind.Transform, GraphBlockKind.Sink], graph.Blocks.Select(b => b.Kind));
        Assert.Equal(4, transform.BoundedCapacity);
        Assert.Contains("map1 → filter2 → map3", graph.ToMermaid());
        Assert.Contains("transform 'map1': map1 -> filter2 -> map3 | dop 1, ordered, bound 4 batches (16384 records)", graph.ToText());
    }

    [Fact]
    public void Describe_ParallelAndBatchBoundaries_StartNewBlocks()
    {
        var graph = Pipeline.From(Source, new PipelineOptions { BatchSize = 1024 })
            .Map(x => x + 1)
            .Parallel(4, options: new StageOptions { Name = "enrich", Capacity = 10_000 })
            .Map(x => x * 2)
            .Filter(x => x > 0)
            .Batch(500)
            .To(new CollectionSink<int>())
            .Build()
            .Describe();

        Assert.Equal(
            [GraphBlockKind.Source, GraphBlockKind.Transform, GraphBlockKind.Transform, GraphBlockKind.Batch, GraphBlockKind.Sink],
            graph.Blocks.Select(b => b.Kind));
        var enrich = graph.Blocks.Single(b => b.Name == "enrich");
        Assert.Equal(["map3", "filter4"], enrich.Operators);
        Assert.Equal(4, enrich.DegreeOfParallelism);
        Assert.Equal(10, enrich.BoundedCapacity);
        Assert.StartsWith("TransformBlock (EnsureOrdered)", enrich.Dataflow, StringComparison.Ordinal);
        Assert.Equal(graph.Blocks.Count - 1, graph.Edges.Count);
    }

    [Fact]
    public void Describe_SourceOverridesProcess_FusesProcessIntoFirstBlock()
    {
        var graph = Pipeline.From(new UpperSource()).Map(s => s.Length).To(new CollectionSink<int>()).Build().Describe();

        Assert.Equal(["process", "map1"], Assert.Single(graph.TransformBlocks).Operators);
    }

    [Fact]
    public void Build_NoSink_FailsNamingTheProblem()
    {
        var error = Assert.Throws<PipelineConfigurationException>(() => Pipeline.From(Source).Map(x => x).Build());

        Assert.Equal("pipeline 'pipeline': the branch ending at stage 'map1' has no sink: end it with To(sink).", Assert.Single(error.Errors));
    }

    [Fact]
    public void Build_StageAfterSink_FailsNamingTheStage()
    {
        var error = Assert.Throws<PipelineConfigurationException>(() =>
            Pipeline.From(Source).To(new CollectionSink<int>("out")).Map(x => x + 1).Build());

        Assert.Contains("Stage 'map2' comes after sink 'out'", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SeveralProblems_ListsEveryOneNamingItsStage()
    {
        var error = Assert.Throws<PipelineConfigurationException>(() =>
            Pipeline.From(Source, new PipelineOptions { Name = "orders", BatchSize = 0 })
                .Stage(new StageOptions { Name = "enrich", Capacity = 0 })
                .Parallel(1000)
                .Batch(0)
                .To(new CollectionSink<int>("out"), new StageOptions { CapacityBytes = 0 })
                .Build());

        Assert.Equal(
            [
                "pipeline 'orders': PipelineOptions.BatchSize must be from 1 to 65536 (was 0).",
                "pipeline 'orders': Stage 'enrich': Capacity must be at least 1 record (was 0).",
                "pipeline 'orders': Stage 'parallel2': DegreeOfParallelism must be from 1 to 256 (was 1000).",
                "pipeline 'orders': Stage 'batch3': batch size must be from 1 to 1000000 (was 0).",
                "pipeline 'orders': Stage 'out': CapacityBytes must be at least 1 byte (was 0).",
            ],
            error.Errors);
        Assert.Contains("5 problems", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_BatchLargerThanInFlightBound_Fails()
    {
        var error = Assert.Throws<PipelineConfigurationException>(() =>
            Pipeline.From(Source, new PipelineOptions { MaxInFlightRecords = 10_000 }).Batch(20_000).To(new CollectionSink<int>()).Build());

        Assert.Equal(
            "pipeline 'pipeline': Stage 'batch1': batch size 20000 is above PipelineOptions.MaxInFlightRecords (10000), so its batches could never fill; raise MaxInFlightRecords or lower the size.",
            Assert.Single(error.Errors));
    }

    [Fact]
    public void Build_SameSinkTwice_Fails()
    {
        var sink = new CollectionSink<int>("dup");
        var error = Assert.Throws<PipelineConfigurationException>(() =>
            Pipeline.From(Source).Broadcast(b => b.To(sink), b => b.To(sink)).Build());

        Assert.Contains("Sink 'dup': the same sink connector instance is used twice", Assert.Single(error.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Build_Twice_Throws()
    {
        var builder = Pipeline.From(Source).To(new CollectionSink<int>());
        builder.Build();

        Assert.Throws<InvalidOperationException>(() => builder.Build());
        Assert.Throws<InvalidOperationException>(() => builder.Map(x => x));
    }

    private sealed class UpperSource() : DataWeaver.Connectors.SourceConnector<string>("upper")
    {
        public override async IAsyncEnumerable<string> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            yield return "a";
            await Task.CompletedTask;
        }

        public override string Process(string message) => message.ToUpperInvariant();
    }
}
