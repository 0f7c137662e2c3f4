using DataWeaver.Diagnostics;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;

namespace DataWeaver.Operations.Internal;

/// <summary>A pipeline as the management API lists it.</summary>
internal sealed record PipelineSummaryView(
    string Name,
    string State,
    int Restarts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    ErrorView? LastError,
    StatisticsView Statistics)
{
    public static PipelineSummaryView From(PipelineHost host) => new(
        host.Name,
        PipelineStates.Label(host.State),
        host.Restarts,
        host.StartedAt,
        host.EndedAt,
        ErrorView.From(host),
        StatisticsView.From(host.Statistics));
}

/// <summary>One pipeline in detail: its summary, per-block statistics, lag and compiled graph.</summary>
internal sealed record PipelineDetailView(
    string Name,
    string State,
    int Restarts,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    ErrorView? LastError,
    StatisticsView Statistics,
    LagView Lag,
    IReadOnlyList<BlockView> Blocks,
    GraphView? Graph)
{
    public static PipelineDetailView From(PipelineHost host)
    {
        var statistics = host.Statistics;
        return new(
            host.Name,
            PipelineStates.Label(host.State),
            host.Restarts,
            host.StartedAt,
            host.EndedAt,
            ErrorView.From(host),
            StatisticsView.From(statistics),
            new LagView(statistics.CommitLag, statistics.RecordsInFlight, statistics.MaxRecordsInFlight),
            [.. statistics.Blocks.Select(BlockView.From)],
            host.Pipeline?.Describe() is { } graph ? GraphView.From(graph) : null);
    }
}

/// <summary>
/// The last failure, without its message: messages of connectors may quote settings, so the API shows the error's
/// type, class and stage only (the logs have the rest, scrubbed).
/// </summary>
internal sealed record ErrorView(string Type, string Class, string Stage)
{
    public static ErrorView? From(PipelineHost host) => host.LastError is { } error
        ? new ErrorView(error.GetType().Name, (host.LastErrorClass ?? Errors.ErrorClass.Fatal).ToString().ToLowerInvariant(), host.LastErrorStage ?? host.Name)
        : null;
}

/// <summary>The counters of the latest run.</summary>
internal sealed record StatisticsView(
    long RecordsRead,
    long RecordsWritten,
    long RecordsInFlight,
    long MaxRecordsInFlight,
    long RecordsFiltered,
    long RecordsSkipped,
    long RecordsDeadLettered,
    long RecordsUnrouted,
    long Errors,
    long Retries,
    long CommitLag,
    double ElapsedSeconds,
    IReadOnlyList<SinkView> Sinks)
{
    public static StatisticsView From(PipelineStatistics s) => new(
        s.RecordsRead,
        s.RecordsWritten,
        s.RecordsInFlight,
        s.MaxRecordsInFlight,
        s.RecordsFiltered,
        s.RecordsSkipped,
        s.RecordsDeadLettered,
        s.RecordsUnrouted,
        s.Errors,
        s.Retries,
        s.CommitLag,
        s.Elapsed.TotalSeconds,
        [.. s.Sinks.Select(static k => new SinkView(k.Name, k.RecordsWritten))]);
}

/// <summary>What one sink wrote.</summary>
internal sealed record SinkView(string Name, long RecordsWritten);

/// <summary>How far the pipeline's commits are behind its reads.</summary>
internal sealed record LagView(long CommitLag, long RecordsInFlight, long MaxRecordsInFlight);

/// <summary>One block's counters.</summary>
internal sealed record BlockView(
    string Id,
    string Name,
    string Kind,
    int DegreeOfParallelism,
    int QueuedBatches,
    long QueuedRecords,
    int CapacityBatches,
    double QueueFill,
    long RecordsProcessed,
    double BusySeconds)
{
    public static BlockView From(BlockStatistics b) => new(
        b.Id,
        b.Name,
        b.Kind.ToString().ToLowerInvariant(),
        b.DegreeOfParallelism,
        b.QueuedBatches,
        b.QueuedRecords,
        b.CapacityBatches,
        b.QueueFill,
        b.RecordsProcessed,
        b.BusyTime.TotalSeconds);
}

/// <summary>The compiled graph, as <see cref="Pipeline.Describe"/> reports it.</summary>
internal sealed record GraphView(int BatchSize, int MaxInFlightRecords, IReadOnlyList<GraphBlockView> Blocks, IReadOnlyList<GraphEdgeView> Edges, string Mermaid)
{
    public static GraphView From(PipelineGraph graph) => new(
        graph.BatchSize,
        graph.MaxInFlightRecords,
        [.. graph.Blocks.Select(static b => new GraphBlockView(b.Id, b.Name, b.Kind.ToString().ToLowerInvariant(), b.Operators, b.DegreeOfParallelism, b.BoundedCapacity, b.Connector))],
        [.. graph.Edges.Select(static e => new GraphEdgeView(e.From, e.To, e.Label))],
        graph.ToMermaid());
}

/// <summary>One block of the compiled graph.</summary>
internal sealed record GraphBlockView(string Id, string Name, string Kind, IReadOnlyList<string> Operators, int DegreeOfParallelism, int BoundedCapacity, string? Connector);

/// <summary>One edge of the compiled graph.</summary>
internal sealed record GraphEdgeView(string From, string To, string? Label);

/// <summary>What <c>/health/ready</c> and <c>/health/live</c> answer.</summary>
internal sealed record HealthView(string Status, IReadOnlyList<PipelineStateView> Pipelines);

/// <summary>A pipeline's name and state.</summary>
internal sealed record PipelineStateView(string Name, string State);

/// <summary>What <c>POST /reload</c> answers when the new file was applied.</summary>
internal sealed record ReloadView(IReadOnlyList<string> Restarted, IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Unchanged)
{
    public static ReloadView From(ReloadResult result) => new(result.Restarted, result.Added, result.Removed, result.Unchanged);
}
