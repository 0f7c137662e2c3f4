using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using DataWeaver.Pipelines;

namespace DataWeaver.Cli.Graph;

/// <summary>Renders the compiled block graphs of one or more pipelines as text, Mermaid or Graphviz DOT.</summary>
internal static partial class GraphFormats
{
    /// <summary>The format names <c>--format</c> accepts.</summary>
    public static readonly string[] Names = ["text", "mermaid", "dot"];

    /// <summary>Renders graphs in a format.</summary>
    /// <param name="format">One of <see cref="Names"/>.</param>
    /// <param name="graphs">The graphs, in file order.</param>
    /// <returns>The rendering, ending with a line end.</returns>
    public static string Render(string format, IReadOnlyList<PipelineGraph> graphs) => format switch
    {
        "mermaid" => graphs.Count == 1 ? graphs[0].ToMermaid() : Mermaid(graphs),
        "dot" => Dot(graphs),
        _ => string.Join(Environment.NewLine, graphs.Select(g => g.ToText())),
    };

    /// <summary>
    /// One Mermaid flowchart with a subgraph per pipeline: each pipeline's own rendering (<see cref="PipelineGraph.ToMermaid"/>)
    /// with its block ids prefixed by the pipeline's index, so that the blocks of different pipelines stay apart.
    /// </summary>
    private static string Mermaid(IReadOnlyList<PipelineGraph> graphs)
    {
        var text = new StringBuilder("flowchart LR").AppendLine();
        for (var i = 0; i < graphs.Count; i++)
        {
            var prefix = string.Create(CultureInfo.InvariantCulture, $"p{i}_");
            text.Append(CultureInfo.InvariantCulture, $"    subgraph p{i} [\"{graphs[i].Name}\"]").AppendLine();
            foreach (var line in graphs[i].ToMermaid().Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                var prefixed = MermaidEdgeTarget().Replace(MermaidLineStart().Replace(line.TrimEnd('\r'), "$1" + prefix + "$2"), "$1" + prefix + "$2");
                text.Append("    ").AppendLine(prefixed);
            }

            text.AppendLine("    end");
        }

        return text.ToString();
    }

    /// <summary>A Graphviz digraph with a cluster per pipeline; block ids are prefixed with the pipeline's index.</summary>
    private static string Dot(IReadOnlyList<PipelineGraph> graphs)
    {
        var text = new StringBuilder("digraph \"dataweaver\" {").AppendLine();
        text.AppendLine("  rankdir=LR;");
        text.AppendLine("  node [shape=box, fontname=\"Helvetica\", fontsize=10];");
        text.AppendLine("  edge [fontname=\"Helvetica\", fontsize=9];");
        for (var i = 0; i < graphs.Count; i++)
        {
            var graph = graphs[i];
            var bound = graph.MaxInFlightBytes > 0
                ? FormattableString.Invariant($"at most {graph.MaxInFlightRecords} records / {graph.MaxInFlightBytes / (1024.0 * 1024):0.#} MiB in flight")
                : FormattableString.Invariant($"at most {graph.MaxInFlightRecords} records in flight");
            text.Append(CultureInfo.InvariantCulture, $"  subgraph \"cluster_{i}\" {{").AppendLine();
            text.Append(CultureInfo.InvariantCulture, $"    label={Quote($"pipeline '{graph.Name}': batches of {graph.BatchSize}, {bound}")};").AppendLine();
            foreach (var block in graph.Blocks)
            {
                text.Append(CultureInfo.InvariantCulture, $"    p{i}_{block.Id} [label={Quote(Label(block))}{Shape(block.Kind)}];").AppendLine();
            }

            foreach (var edge in graph.Edges)
            {
                text.Append(CultureInfo.InvariantCulture, $"    p{i}_{edge.From} -> p{i}_{edge.To}");
                text.AppendLine(edge.Label is null ? ";" : $" [label={Quote(edge.Label)}];");
            }

            text.AppendLine("  }");
        }

        return text.AppendLine("}").ToString();
    }

    private static string Label(GraphBlock block)
    {
        var lines = new List<string> { $"{block.Id} {block.Kind.ToString().ToLowerInvariant()} '{block.Name}'" };
        if (block.Operators.Count > 0)
        {
            lines.Add(string.Join(" -> ", block.Operators));
        }

        if (block.Kind is not (GraphBlockKind.Source or GraphBlockKind.FanOut))
        {
            lines.Add(block.Ordering == StageOrdering.KeyOrdered
                ? FormattableString.Invariant($"{block.DegreeOfParallelism} lanes, key-ordered")
                : FormattableString.Invariant($"dop {block.DegreeOfParallelism}, {block.Ordering.ToString().ToLowerInvariant()}, bound {block.BoundedCapacity} batches ({block.CapacityRecords} records)"));
        }

        if (block.Connector is not null)
        {
            lines.Add(block.Connector);
        }

        return string.Join('\n', lines);
    }

    private static string Shape(GraphBlockKind kind) => kind switch
    {
        GraphBlockKind.Source => ", shape=ellipse",
        GraphBlockKind.Sink => ", shape=cylinder",
        GraphBlockKind.FanOut => ", shape=diamond",
        _ => string.Empty,
    };

    /// <summary>A DOT quoted string: backslashes and quotes escaped, line ends as <c>\n</c>.</summary>
    private static string Quote(string text) =>
        "\"" + text.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal) + "\"";

    /// <summary>The block id that starts a Mermaid node or edge line (<c>    b0(["..."])</c>, <c>    b0 --> b1</c>).</summary>
    [GeneratedRegex(@"^(\s*)(b\d+)")]
    private static partial Regex MermaidLineStart();

    /// <summary>The target block id that ends a Mermaid edge line, after an optional <c>|label|</c>.</summary>
    [GeneratedRegex(@"(-->\s(?:\|[^|]*\|\s)?)(b\d+)$")]
    private static partial Regex MermaidEdgeTarget();
}
