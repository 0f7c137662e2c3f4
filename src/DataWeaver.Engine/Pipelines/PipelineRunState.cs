using DataWeaver.Diagnostics;

namespace DataWeaver.Pipelines;

/// <summary>Where a pipeline run is in its life.</summary>
public enum PipelineRunState
{
    /// <summary>Reading, processing and writing.</summary>
    Running,

    /// <summary>A stop was requested: the source stopped reading and in-flight records are finishing.</summary>
    Draining,

    /// <summary>Every record read was delivered and acknowledged, and positions were committed.</summary>
    Completed,

    /// <summary>A stage failed; <see cref="PipelineRun.Completion"/> holds the exception.</summary>
    Faulted,

    /// <summary>The run was cancelled; records in flight were dropped unacknowledged.</summary>
    Aborted,
}

/// <summary>Counters of a pipeline run, read at one moment.</summary>
/// <param name="RecordsRead">Records the source handed to the engine.</param>
/// <param name="RecordsWritten">Records handed to sinks whose write completed (counted once per sink).</param>
/// <param name="RecordsInFlight">Source records read and not yet acknowledged.</param>
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
