using System.Globalization;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

/// <summary>Collects blocks and edges while plan nodes describe themselves.</summary>
internal sealed class GraphWriter
{
    private readonly List<GraphBlock> _blocks = [];
    private readonly List<GraphEdge> _edges = [];

    public string AddBlock(GraphBlock block)
    {
        var id = "b" + _blocks.Count.ToString(CultureInfo.InvariantCulture);
        _blocks.Add(block with { Id = id });
        return id;
    }

    public void AddEdge(string from, string to, string? label) => _edges.Add(new GraphEdge(from, to, label));

    public PipelineGraph ToGraph(string name, PipelineOptions options) => new(name, options, _blocks, _edges);
}
