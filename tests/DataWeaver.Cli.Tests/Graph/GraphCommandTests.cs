using System.Text.RegularExpressions;
using DataWeaver.Cli.Tests.Infrastructure;
using DataWeaver.Configuration;

namespace DataWeaver.Cli.Tests.Graph;

/// <summary>The files are the repository's examples; building them creates their output folders, so the commands run in a temporary folder.</summary>
public sealed partial class GraphCommandTests : IDisposable
{
    private static readonly string Streams = Path.Combine(TestFolder.RepositoryRoot(), "docs/configuration/examples/streams.yaml");
    private static readonly string Orders = Path.Combine(TestFolder.RepositoryRoot(), "docs/configuration/examples/orders.yaml");

    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Graph_TextDefault_IsTheEngineRenderingOfEveryPipeline()
    {
        var result = await RunAsync("graph", Streams);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(string.Join(Environment.NewLine, (await DescribeAsync(Streams)).Select(g => g.ToText())), result.Out);
    }

    [Fact]
    public async Task Graph_MermaidOfOnePipeline_IsTheEngineRendering()
    {
        var result = await RunAsync("graph", Orders, "--format", "mermaid");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal((await DescribeAsync(Orders)).Single().ToMermaid(), result.Out);
    }

    [Fact]
    public async Task Graph_MermaidOfSeveralPipelines_OneSubgraphEachWithTheirOwnBlockIds()
    {
        var result = await RunAsync("graph", Streams, "-f", "mermaid");
        var graphs = await DescribeAsync(Streams);

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("flowchart LR", result.OutLines[0]);
        Assert.Equal(["    subgraph p0 [\"produce\"]", "    subgraph p1 [\"alert\"]"], result.OutLines.Where(l => l.Contains("subgraph", StringComparison.Ordinal)));
        var nodes = result.OutLines.Select(l => MermaidNode().Match(l)).Where(m => m.Success).Select(m => m.Groups["id"].Value).ToList();
        Assert.Equal(graphs.SelectMany((g, i) => g.Blocks.Select(b => $"p{i}_{b.Id}")), nodes);
        var edges = result.OutLines.Select(l => MermaidEdge().Match(l)).Where(m => m.Success).Select(m => (m.Groups["from"].Value, m.Groups["to"].Value)).ToList();
        Assert.Equal(graphs.SelectMany((g, i) => g.Edges.Select(e => ($"p{i}_{e.From}", $"p{i}_{e.To}"))), edges);
    }

    [Fact]
    public async Task Graph_Dot_DeclaresEveryBlockAndEdgeInAClusterPerPipeline()
    {
        var result = await RunAsync("graph", Orders, "--format", "dot");
        var graph = (await DescribeAsync(Orders)).Single();

        Assert.Equal(0, result.ExitCode);
        Assert.Equal("digraph \"dataweaver\" {", result.OutLines[0]);
        Assert.Equal("}", result.OutLines[^1]);
        Assert.Contains("  subgraph \"cluster_0\" {", result.OutLines);
        Assert.Contains("    label=\"pipeline 'orders': batches of 256, at most 8192 records / 16 MiB in flight\";", result.OutLines);
        var nodes = result.OutLines.Select(l => DotNode().Match(l)).Where(m => m.Success).Select(m => m.Groups["id"].Value);
        Assert.Equal(graph.Blocks.Select(b => "p0_" + b.Id), nodes);
        var edges = result.OutLines.Select(l => DotEdge().Match(l)).Where(m => m.Success).Select(m => (m.Groups["from"].Value, m.Groups["to"].Value, m.Groups["label"].Success ? m.Groups["label"].Value : null));
        Assert.Equal(graph.Edges.Select(e => ("p0_" + e.From, "p0_" + e.To, e.Label)), edges);
        Assert.Contains("    p0_b3 [label=\"b3 fanout 'broadcast8'\\nbroadcast\", shape=diamond];", result.OutLines);
    }

    [Fact]
    public async Task Graph_PipelineOption_ShowsOnlyThatPipeline()
    {
        var result = await RunAsync("graph", Streams, "--pipeline", "alert");

        Assert.Equal(0, result.ExitCode);
        Assert.StartsWith("pipeline 'alert': ", result.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("'produce'", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Graph_UnknownFormat_IsAUsageErrorExit1()
    {
        var result = await RunAsync("graph", Streams, "--format", "svg");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("svg", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private Task<CliResult> RunAsync(params string[] args) => _folder.Cli().RunAsync(args);

    private async Task<List<Pipelines.PipelineGraph>> DescribeAsync(string file)
    {
        var definition = PipelineDefinitionLoader.Load(file, new PipelineLoadOptions { Environment = _ => null });
        await using var factory = new PipelineFactory(CliRegistry.Create(), new PipelineFactoryOptions { BaseDirectory = _folder.Path });
        return [.. definition.Pipelines.Select(p => factory.Create(p).Describe())];
    }

    [GeneratedRegex(@"^\s+(?<id>p\d+_b\d+)[\[\(\{]")]
    private static partial Regex MermaidNode();

    [GeneratedRegex(@"^\s+(?<from>p\d+_b\d+) --> (\|[^|]*\| )?(?<to>p\d+_b\d+)$")]
    private static partial Regex MermaidEdge();

    [GeneratedRegex(@"^    (?<id>p\d+_b\d+) \[label=")]
    private static partial Regex DotNode();

    [GeneratedRegex(@"^    (?<from>p\d+_b\d+) -> (?<to>p\d+_b\d+)( \[label=""(?<label>[^""]*)""\])?;$")]
    private static partial Regex DotEdge();
}
