using System.Diagnostics.Metrics;
using DataWeaver.Errors;
using DataWeaver.Lifecycle;

namespace DataWeaver.Diagnostics.Internal;

/// <summary>
/// The <see cref="DataWeaverMeter"/> and its instruments, created once per process. Counters are added to per batch
/// by <see cref="RunMetrics"/>, and only while enabled; observable instruments read the live runs (<see cref="LiveRuns"/>)
/// when a listener collects.
/// </summary>
internal static class EngineMeter
{
    private static readonly double[] s_latencyBuckets =
        [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    public static readonly Meter Meter = new(new MeterOptions(DataWeaverMeter.Name) { Version = DataWeaverMeter.Version });

    public static readonly Counter<long> RecordsIn = Meter.CreateCounter<long>(
        DataWeaverInstruments.RecordsIn, "{record}", "Records the source handed to the engine.");

    public static readonly Counter<long> RecordsOut = Meter.CreateCounter<long>(
        DataWeaverInstruments.RecordsOut, "{record}", "Records whose sink write completed, once per sink.");

    public static readonly Counter<long> BytesIn = Meter.CreateCounter<long>(
        DataWeaverInstruments.BytesIn, "By", "Payload bytes read, as the source reports them.");

    public static readonly Counter<long> BytesOut = Meter.CreateCounter<long>(
        DataWeaverInstruments.BytesOut, "By", "Source payload bytes of the records a sink wrote.");

    public static readonly Counter<long> Errors = Meter.CreateCounter<long>(
        DataWeaverInstruments.Errors, "{error}", "Records or sink batches whose first attempt failed, and run failures.");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>(
        DataWeaverInstruments.Retries, "{retry}", "Retries of records and sink batches with transient errors.");

    public static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>(
        DataWeaverInstruments.RecordsDeadLettered, "{record}", "Records an error policy sent to a dead-letter sink.");

    public static readonly Counter<long> SourceNotices = Meter.CreateCounter<long>(
        DataWeaverInstruments.SourceNotices, "{notice}", "Source notices: an unterminated tail left unread, a truncated or replaced file read again from the start.");

    public static readonly Counter<long> Skipped = Meter.CreateCounter<long>(
        DataWeaverInstruments.RecordsSkipped, "{record}", "Records an error policy skipped.");

    public static readonly Counter<long> Unrouted = Meter.CreateCounter<long>(
        DataWeaverInstruments.RecordsUnrouted, "{record}", "Records that matched no branch of a route.");

    public static readonly Histogram<double> Latency = Meter.CreateHistogram(
        DataWeaverInstruments.Latency,
        "s",
        "Time from the source read to the acknowledgement by every sink, per source batch.",
        tags: null,
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_latencyBuckets });

    public static readonly Counter<long> Commits = Meter.CreateCounter<long>(
        DataWeaverInstruments.Commits, "{commit}", "Source commits made.");

    private static readonly string[] s_errorClasses = ["transient", "data", "fatal"];

    private static readonly PipelineState[] s_states =
    [
        PipelineState.Running, PipelineState.Pausing, PipelineState.Paused, PipelineState.Draining,
        PipelineState.Completed, PipelineState.Stopped, PipelineState.Aborted, PipelineState.Failed,
    ];

    static EngineMeter()
    {
        Meter.CreateObservableGauge(
            DataWeaverInstruments.CommitLag, static () => Observe(static (run, list) => run.ObserveCommitLag(list)), "{record}",
            "Records read from a partition and not yet covered by a commit.");
        Meter.CreateObservableGauge(
            DataWeaverInstruments.RecordsInFlight, static () => Observe(static (run, list) => list.Add(new(run.RecordsInFlight, run.PipelineTag))), "{record}",
            "Source records read and not yet acknowledged.");
        Meter.CreateObservableGauge(
            DataWeaverInstruments.RecordsInFlightLimit, static () => Observe(static (run, list) => list.Add(new(run.MaxInFlightRecords, run.PipelineTag))), "{record}",
            "The bound on source records in flight.");
        Meter.CreateObservableGauge(
            DataWeaverInstruments.BytesInFlight, static () => Observe(static (run, list) => list.Add(new(run.BytesInFlight, run.PipelineTag))), "By",
            "Payload bytes in flight, as the source reports them.");
        Meter.CreateObservableGauge(
            DataWeaverInstruments.BlockQueueDepth, static () => ObserveBlocks(static b => (long)b.QueuedBatches()), "{batch}",
            "Batches waiting at a block's input.");
        Meter.CreateObservableGauge(
            DataWeaverInstruments.BlockQueueRecords, static () => ObserveBlocks(static b => b.Read().QueuedRecords), "{record}",
            "Records waiting at a block's input.");
        Meter.CreateObservableGauge(
            DataWeaverInstruments.BlockQueueCapacity, static () => ObserveBlocks(static b => (long)b.Block.BoundedCapacity), "{batch}",
            "A block's input bound in batches (0: none of its own).");
        Meter.CreateObservableCounter(
            DataWeaverInstruments.BlockBusyTime, static () => ObserveBlocks(static b => b.BusyTime.TotalSeconds), "s",
            "Time a block's workers spent working, summed over its workers.");
        Meter.CreateObservableCounter(
            DataWeaverInstruments.BlockRecords, static () => ObserveBlocks(static b => b.RecordsProcessed), "{record}",
            "Records a block took in.");
        Meter.CreateObservableGauge(
            DataWeaverInstruments.PipelineState, static () => ObserveStates(), "{state}",
            "A pipeline's state: 1 for the current state, 0 for the others.");
    }

    /// <summary>Gets the tag value of an error class.</summary>
    public static string TagOf(ErrorClass errorClass) => (uint)errorClass < (uint)s_errorClasses.Length ? s_errorClasses[(int)errorClass] : "fatal";

    /// <summary>Gets the tag value of a run state.</summary>
    public static string TagOf(PipelineState state) => PipelineStates.Label(state);

    private static List<Measurement<long>> Observe(Action<RunMetrics, List<Measurement<long>>> observe)
    {
        List<Measurement<long>> measurements = [];
        foreach (var run in LiveRuns.Running())
        {
            observe(run, measurements);
        }

        return measurements;
    }

    private static List<Measurement<T>> ObserveBlocks<T>(Func<BlockCounters, T> read)
        where T : struct
    {
        List<Measurement<T>> measurements = [];
        foreach (var run in LiveRuns.Running())
        {
            foreach (var block in run.Blocks)
            {
                measurements.Add(new(read(block), run.PipelineTag, new(DataWeaverTags.Block, block.Name), new(DataWeaverTags.BlockId, block.Block.Id)));
            }
        }

        return measurements;
    }

    private static List<Measurement<int>> ObserveStates()
    {
        List<Measurement<int>> measurements = [];
        foreach (var run in LiveRuns.WithState())
        {
            var current = run.State;
            foreach (var state in s_states)
            {
                measurements.Add(new(state == current ? 1 : 0, run.PipelineTag, new(DataWeaverTags.State, PipelineStates.Label(state))));
            }
        }

        return measurements;
    }
}
