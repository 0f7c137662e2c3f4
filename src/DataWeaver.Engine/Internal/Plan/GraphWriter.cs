using System.Globalization;
using DataWeaver.Pipelines;

namespace DataWeaver.Internal.Plan;

/// <summary>Collects blocks and edges while plan nodes describe themselves.</summary>
internal sealed class GraphWriter
{
    private readonly List<GraphBlock> _blocks = [];
    private readonly List<GraphEdge> _edges = [];
    private readonly Dictionary<object, string> _owners = new(ReferenceEqualityComparer.Instance);

    /// <summary>Gets the id of the block each plan node described (the node passed itself as the owner).</summary>
    public IReadOnlyDictionary<object, string> Owners => _owners;

    public string AddBlock(GraphBlock block, object? owner = null)
    {
        var id = "b" + _blocks.Count.ToString(CultureInfo.InvariantCulture);
        _blocks.Add(block with { Id = id });
        if (owner is not null)
        {
            _owners[owner] = id;
        }

        return id;
    }

    public void AddEdge(string from, string to, string? label) => _edges.Add(new GraphEdge(from, to, label));

    public PipelineGraph ToGraph(string name, PipelineOptions options) =>
        new(name, options, _blocks, [.. _edges.OrderBy(e => _blocks.FindIndex(b => b.Id == e.From))]);

    /// <summary>Names a connector type for people: <c>JsonLinesSink&lt;EnrichedOrder&gt;</c> rather than <c>JsonLinesSink`1</c>.</summary>
    public static string TypeName(Type type)
    {
        if (!type.IsGenericType)
        {
            return type.Name;
        }

        var name = type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)];
        return $"{name}<{string.Join(", ", type.GetGenericArguments().Select(TypeName))}>";
    }
}
