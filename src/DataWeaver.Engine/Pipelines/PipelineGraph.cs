using System.Globalization;
using System.Text;

namespace DataWeaver.Pipelines;

/// <summary>What a block of the compiled graph does.</summary>
public enum GraphBlockKind
{
    /// <summary>The source's reading loop.</summary>
    Source,

    /// <summary>Fused per-record operators (map, filter, flat-map, process).</summary>
    Transform,

    /// <summary>Re-cuts the stream into batches of a size or time window.</summary>
    Batch,

    /// <summary>Broadcast or route into several branches; runs in the sending block.</summary>
    FanOut,

    /// <summary>A sink's writes.</summary>
    Sink,
}

/// <summary>One block of a compiled pipeline, as <see cref="Pipeline.Describe"/> reports it.</summary>
public sealed record GraphBlock
{
    /// <summary>Gets the block id, unique within the graph (<c>b0</c>, <c>b1</c>, ...).</summary>
    public string Id { get; init; } = string.Empty;

    /// <summary>Gets the stage name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets what the block does.</summary>
    public required GraphBlockKind Kind { get; init; }

    /// <summary>Gets the operators fused into the block, in the order they run.</summary>
    public IReadOnlyList<string> Operators { get; init; } = [];

    /// <summary>Gets how many workers the block runs.</summary>
    public int DegreeOfParallelism { get; init; } = 1;

    /// <summary>Gets the block's output order.</summary>
    public StageOrdering Ordering { get; init; }

    /// <summary>Gets the Dataflow bound of the block's input, in batches; 0 when the block has no input queue.</summary>
    public int BoundedCapacity { get; init; }

    /// <summary>Gets the configured input capacity in records; 0 when the block has no input queue.</summary>
    public int CapacityRecords { get; init; }

    /// <summary>Gets the configured input capacity in bytes, if any.</summary>
    public long? CapacityBytes { get; init; }

    /// <summary>Gets the connector type for sources and sinks.</summary>
    public string? Connector { get; init; }

    /// <summary>Gets the TPL Dataflow blocks that implement this block.</summary>
    public string Dataflow { get; init; } = string.Empty;
}

/// <summary>An edge of the compiled graph: batches flow from one block to another.</summary>
/// <param name="From">The sending block's id.</param>
/// <param name="To">The receiving block's id.</param>
/// <param name="Label">What goes along the edge, for fan-outs.</param>
public sealed record GraphEdge(string From, string To, string? Label);

/// <summary>
/// The compiled block graph of a pipeline: which blocks run, which operators each fuses, and their bounds.
/// Render it with <see cref="ToText"/> or <see cref="ToMermaid"/>.
/// </summary>
public sealed class PipelineGraph
{
    internal PipelineGraph(string name, PipelineOptions options, IReadOnlyList<GraphBlock> blocks, IReadOnlyList<GraphEdge> edges)
    {
        Name = name;
        BatchSize = options.BatchSize;
        MaxInFlightRecords = options.MaxInFlightRecords;
        MaxInFlightBytes = options.MaxInFlightBytes;
        Blocks = blocks;
        Edges = edges;
    }

    /// <summary>Gets the pipeline name.</summary>
    public string Name { get; }

    /// <summary>Gets the source batch size.</summary>
    public int BatchSize { get; }

    /// <summary>Gets the bound on source records in flight.</summary>
    public int MaxInFlightRecords { get; }

    /// <summary>Gets the bound on payload bytes in flight (0: none).</summary>
    public long MaxInFlightBytes { get; }

    /// <summary>Gets the blocks, source first.</summary>
    public IReadOnlyList<GraphBlock> Blocks { get; }

    /// <summary>Gets the edges.</summary>
    public IReadOnlyList<GraphEdge> Edges { get; }

    /// <summary>Gets the blocks that do per-record work (transforms), the ones fusion is about.</summary>
    public IEnumerable<GraphBlock> TransformBlocks => Blocks.Where(static b => b.Kind == GraphBlockKind.Transform);

    /// <summary>Renders the graph as indented text: one line per block, then the edges.</summary>
    /// <returns>The text.</returns>
    public string ToText()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"pipeline '{Name}': batches of {BatchSize}, at most {MaxInFlightRecords} records");
        if (MaxInFlightBytes > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $" / {MaxInFlightBytes / (1024.0 * 1024):0.#} MiB");
        }

        text.AppendLine(" in flight");
        foreach (var block in Blocks)
        {
            text.Append(CultureInfo.InvariantCulture, $"  [{block.Id}] {block.Kind.ToString().ToLowerInvariant()} '{block.Name}'");
            if (block.Operators.Count > 0)
            {
                text.Append(": ").Append(string.Join(" -> ", block.Operators));
            }

            text.Append(CultureInfo.InvariantCulture, $" | {Bound(block)}");
            if (block.Connector is not null)
            {
                text.Append(CultureInfo.InvariantCulture, $" | {block.Connector}");
            }

            text.AppendLine();
        }

        foreach (var edge in Edges)
        {
            text.Append(CultureInfo.InvariantCulture, $"  {edge.From} -> {edge.To}");
            text.AppendLine(edge.Label is null ? string.Empty : $" ({edge.Label})");
        }

        return text.ToString();
    }

    /// <summary>Renders the graph as a Mermaid flowchart.</summary>
    /// <returns>The Mermaid source.</returns>
    public string ToMermaid()
    {
        var text = new StringBuilder("flowchart LR").AppendLine();
        foreach (var block in Blocks)
        {
            var ops = block.Operators.Count > 0 ? "<br/>" + string.Join(" → ", block.Operators) : string.Empty;
            var label = Escape($"{block.Kind.ToString().ToLowerInvariant()}: {block.Name}") + Escape(ops) + "<br/>" + Escape(Bound(block));
            var (open, close) = block.Kind switch
            {
                GraphBlockKind.Source => ("([", "])"),
                GraphBlockKind.Sink => ("[(", ")]"),
                GraphBlockKind.FanOut => ("{{", "}}"),
                _ => ("[", "]"),
            };
            text.Append(CultureInfo.InvariantCulture, $"    {block.Id}{open}\"{label}\"{close}").AppendLine();
        }

        foreach (var edge in Edges)
        {
            text.Append("    ").Append(edge.From).Append(" --> ");
            if (edge.Label is not null)
            {
                text.Append('|').Append(Escape(edge.Label)).Append("| ");
            }

            text.AppendLine(edge.To);
        }

        return text.ToString();
    }

    /// <inheritdoc />
    public override string ToString() => ToText();

    private static string Bound(GraphBlock block) => block.Kind switch
    {
        GraphBlockKind.Source => "reads batches",
        GraphBlockKind.FanOut => "no queue",
        _ when block.Ordering == StageOrdering.KeyOrdered => FormattableString.Invariant($"{block.DegreeOfParallelism} lanes, key-ordered, bounded by the pipeline's in-flight bound"),
        _ => FormattableString.Invariant(
            $"dop {block.DegreeOfParallelism}, {block.Ordering.ToString().ToLowerInvariant()}, bound {block.BoundedCapacity} batches ({block.CapacityRecords} records{(block.CapacityBytes is { } b ? FormattableString.Invariant($", {b} bytes") : string.Empty)})"),
    };

    private static string Escape(string text) => text.Replace("\"", "#quot;", StringComparison.Ordinal);
}
