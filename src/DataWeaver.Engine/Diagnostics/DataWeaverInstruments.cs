namespace DataWeaver.Diagnostics;

/// <summary>
/// The names of the instruments of the <see cref="DataWeaverMeter"/>, in OpenTelemetry style. docs/metrics.md lists
/// each with its type, unit, tags and what to chart it with.
/// </summary>
public static class DataWeaverInstruments
{
    /// <summary>Counter, <c>{record}</c>: records the source handed to the engine. Tags: pipeline.</summary>
    public const string RecordsIn = "dataweaver.records.in";

    /// <summary>Counter, <c>{record}</c>: records whose sink write completed, once per sink (dead-letter sinks included). Tags: pipeline, sink.</summary>
    public const string RecordsOut = "dataweaver.records.out";

    /// <summary>Counter, <c>By</c>: payload bytes read, as the source reports them (sources that report no sizes add nothing). Tags: pipeline.</summary>
    public const string BytesIn = "dataweaver.bytes.in";

    /// <summary>Counter, <c>By</c>: the source payload bytes of the records a sink wrote (an estimate after transforms; what the sink encodes is not measured). Tags: pipeline, sink.</summary>
    public const string BytesOut = "dataweaver.bytes.out";

    /// <summary>
    /// Counter, <c>{error}</c>: errors, one per record or sink batch whose first attempt failed (classified by that error)
    /// and one for the failure that stopped a run, if it was not counted already. Tags: pipeline, stage, error class.
    /// </summary>
    public const string Errors = "dataweaver.errors";

    /// <summary>Counter, <c>{retry}</c>: retries of records and sink batches with transient errors. Tags: pipeline, stage.</summary>
    public const string Retries = "dataweaver.retries";

    /// <summary>Counter, <c>{record}</c>: records an error policy sent to a dead-letter sink. Tags: pipeline, stage.</summary>
    public const string RecordsDeadLettered = "dataweaver.records.dead_lettered";

    /// <summary>Counter, <c>{record}</c>: records an error policy skipped. Tags: pipeline, stage.</summary>
    public const string RecordsSkipped = "dataweaver.records.skipped";

    /// <summary>Counter, <c>{record}</c>: records that matched no branch of a route. Tags: pipeline, stage (the route).</summary>
    public const string RecordsUnrouted = "dataweaver.records.unrouted";

    /// <summary>
    /// Histogram, <c>s</c>: end-to-end latency, from the source read to the acknowledgement by every sink the records
    /// went to; one measurement per source batch (timestamps from the pipeline's TimeProvider, no clock read per record). Tags: pipeline.
    /// </summary>
    public const string Latency = "dataweaver.latency";

    /// <summary>
    /// Counter, <c>{notice}</c>: things a source did that a person should know though the run went on (a JSON-lines file's
    /// unterminated tail left unread, a truncated or replaced file read again from the start). Tags: source, notice kind.
    /// </summary>
    public const string SourceNotices = "dataweaver.source.notices";

    /// <summary>Counter, <c>{commit}</c>: source commits made. Tags: pipeline.</summary>
    public const string Commits = "dataweaver.commits";

    /// <summary>Gauge, <c>{record}</c>: records read from a partition and not yet covered by a commit. Tags: pipeline, partition.</summary>
    public const string CommitLag = "dataweaver.commit.lag";

    /// <summary>Gauge, <c>{record}</c>: source records read and not yet acknowledged (or committed, with continuous commits). Tags: pipeline.</summary>
    public const string RecordsInFlight = "dataweaver.records.in_flight";

    /// <summary>Gauge, <c>{record}</c>: the bound on records in flight (<see cref="Pipelines.PipelineOptions.MaxInFlightRecords"/>). Tags: pipeline.</summary>
    public const string RecordsInFlightLimit = "dataweaver.records.in_flight.limit";

    /// <summary>Gauge, <c>By</c>: payload bytes in flight, as the source reports them. Tags: pipeline.</summary>
    public const string BytesInFlight = "dataweaver.bytes.in_flight";

    /// <summary>Gauge, <c>{batch}</c>: batches waiting at a block's input. Tags: pipeline, block, block id.</summary>
    public const string BlockQueueDepth = "dataweaver.block.queue.depth";

    /// <summary>Gauge, <c>{record}</c>: records waiting at a block's input. Tags: pipeline, block, block id.</summary>
    public const string BlockQueueRecords = "dataweaver.block.queue.records";

    /// <summary>Gauge, <c>{batch}</c>: a block's input bound (0: none of its own). Tags: pipeline, block, block id.</summary>
    public const string BlockQueueCapacity = "dataweaver.block.queue.capacity";

    /// <summary>
    /// Counter (observable), <c>s</c>: time a block's workers spent working, summed over its workers; its rate divided by the
    /// block's degree of parallelism is the block's busy share. Tags: pipeline, block, block id.
    /// </summary>
    public const string BlockBusyTime = "dataweaver.block.busy.time";

    /// <summary>Counter (observable), <c>{record}</c>: records a block took in (read, for the source). Tags: pipeline, block, block id.</summary>
    public const string BlockRecords = "dataweaver.block.records";

    /// <summary>
    /// Gauge, <c>{state}</c>: a pipeline's state, one series per state (<see cref="DataWeaverTags.State"/>), 1 for the current
    /// one and 0 for the others. Reported while a run lives and, after it ended, while its pipeline is alive and not
    /// started again. Tags: pipeline, state.
    /// </summary>
    public const string PipelineState = "dataweaver.pipeline.state";
}
