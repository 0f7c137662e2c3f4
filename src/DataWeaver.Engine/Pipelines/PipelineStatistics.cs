using DataWeaver.Diagnostics;

namespace DataWeaver.Pipelines;

/// <summary>Counters of a pipeline run, read at one moment.</summary>
/// <param name="RecordsRead">Records the source handed to the engine.</param>
/// <param name="RecordsWritten">
/// Records sinks wrote, counted once per sink (a record written to two sinks counts twice); dead letters are not
/// counted here but in <paramref name="RecordsDeadLettered"/>. Per sink: <see cref="PipelineStatistics.Sinks"/>.
/// </param>
/// <param name="RecordsInFlight">
/// Source records read and not yet handed back: not yet acknowledged (or, with continuous commits, not yet committed).
/// An idle source waiting for data has none in flight. The bound is <see cref="PipelineStatistics.MaxRecordsInFlight"/>.
/// </param>
/// <param name="PeakRecordsInFlight">The most source records ever in flight at once; never above <see cref="PipelineOptions.MaxInFlightRecords"/>.</param>
/// <param name="RecordsUnrouted">Records that matched no branch of a route and were dropped.</param>
/// <param name="RecordsSkipped">Records an error policy skipped.</param>
/// <param name="RecordsDeadLettered">Records an error policy sent to a dead-letter sink.</param>
/// <param name="Retries">Retries of records and sink batches with transient errors.</param>
public readonly record struct PipelineStatistics(
    long RecordsRead,
    long RecordsWritten,
    long RecordsInFlight,
    long PeakRecordsInFlight,
    long RecordsUnrouted,
    long RecordsSkipped = 0,
    long RecordsDeadLettered = 0,
    long Retries = 0)
{
    private readonly IReadOnlyList<BlockStatistics>? _blocks;
    private readonly IReadOnlyList<SinkStatistics>? _sinks;

    /// <summary>Gets the records a filter left out (they count as handled: their positions commit).</summary>
    /// <value>The default is 0.</value>
    public long RecordsFiltered { get; init; }

    /// <summary>Gets the in-flight bound of the run (<see cref="PipelineOptions.MaxInFlightRecords"/>), to show beside <see cref="RecordsInFlight"/>.</summary>
    /// <value>The default is 0.</value>
    public long MaxRecordsInFlight { get; init; }

    /// <summary>Gets, per sink of the pipeline (in <see cref="Pipeline.Sinks"/> order), the records it wrote; dead-letter sinks are not listed.</summary>
    /// <value>The default is an empty list.</value>
    public IReadOnlyList<SinkStatistics> Sinks
    {
        get => _sinks ?? [];
        init => _sinks = value;
    }

    /// <summary>
    /// Gets the errors so far: records and sink batches whose first attempt failed, and the failure that stopped the
    /// run (see <see cref="DataWeaverInstruments.Errors"/>).
    /// </summary>
    /// <value>The default is 0.</value>
    public long Errors { get; init; }

    /// <summary>Gets the records read and not yet covered by a commit of their source positions, over every partition.</summary>
    /// <value>The default is 0.</value>
    public long CommitLag { get; init; }

    /// <summary>Gets the time since the run started, on the pipeline's TimeProvider: the clock to compute rates and busy shares with.</summary>
    /// <value>The default is <see cref="TimeSpan.Zero"/>.</value>
    public TimeSpan Elapsed { get; init; }

    /// <summary>Gets one entry per block of <see cref="Pipeline.Describe"/>, in the same order, with the same ids and names.</summary>
    /// <value>The default is an empty list.</value>
    public IReadOnlyList<BlockStatistics> Blocks
    {
        get => _blocks ?? [];
        init => _blocks = value;
    }
}

/// <summary>What one sink of a pipeline wrote in a run.</summary>
/// <param name="Name">The sink connector's name.</param>
/// <param name="RecordsWritten">The records it wrote (confirmed by its write); dead letters are never counted here.</param>
public readonly record struct SinkStatistics(string Name, long RecordsWritten);
