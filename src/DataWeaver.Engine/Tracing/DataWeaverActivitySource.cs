using System.Diagnostics;

namespace DataWeaver.Tracing;

/// <summary>
/// The engine's <see cref="ActivitySource"/> (<c>DataWeaver</c>) and the names of its spans. Subscribe to it with
/// OpenTelemetry (<c>AddSource(DataWeaverActivitySource.Name)</c>, or <c>AddDataWeaverInstrumentation()</c> on a
/// <c>TracerProviderBuilder</c> from DataWeaver.Hosting) or an <see cref="ActivityListener"/>.
/// </summary>
/// <remarks>
/// <para>
/// Spans, all of one source:
/// </para>
/// <list type="bullet">
/// <item><description><see cref="BatchOperation"/> (kind <see cref="ActivityKind.Consumer"/>, named <c>"{pipeline} batch"</c>): one per
/// source batch, from the moment the source handed it to the engine until every record of it was acknowledged (written,
/// dead-lettered, skipped or filtered). Its parent is the W3C trace context (<c>traceparent</c>, <c>tracestate</c>
/// headers) of the batch's first record, when it has one; the distinct contexts of the other records become span links
/// (at most <see cref="MaxLinks"/>), so one span stands for the whole batch instead of one per record.</description></item>
/// <item><description><see cref="StageOperation"/> (<see cref="ActivityKind.Internal"/>, named after the stage): a transform
/// segment's work on the batch, a child of the batch span.</description></item>
/// <item><description><see cref="WriteOperation"/> (<see cref="ActivityKind.Producer"/>, named <c>"{sink} write"</c>): a sink's
/// write of the batch, a child of the batch span. It is <see cref="Activity.Current"/> while the sink's
/// <c>WriteBatchAsync</c> runs, and sinks write its context into the headers of what they send
/// (<see cref="OutgoingTraceContext"/>), so the trace continues in the next system.</description></item>
/// </list>
/// <para>
/// Sampling is decided once per batch, about the first record's context, and only a sampled batch looks at the other
/// records' headers (for links) and gets stage and write spans. Who decides: with <see cref="SampleRatio"/> set (as
/// DataWeaver.Hosting's <c>AddDataWeaverTracing</c>/<c>ExportTraces</c> and the CLI set it), the engine itself, before any
/// listener is asked, so a batch not kept costs no <see cref="Activity"/> and allocates nothing; listeners see only kept
/// batches. Without it (the default), every batch is offered to the listeners and their sampler decides.
/// </para>
/// <para>Tags are names (<c>dataweaver.pipeline</c>, <c>dataweaver.source</c>, <c>dataweaver.stage</c>, <c>dataweaver.sink</c>) and
/// counts, never connector settings or record contents.</para>
/// </remarks>
public static class DataWeaverActivitySource
{
    /// <summary>The source's name: <c>DataWeaver</c>.</summary>
    public const string Name = "DataWeaver";

    /// <summary>The operation name of a batch span: <c>DataWeaver.Batch</c>.</summary>
    public const string BatchOperation = "DataWeaver.Batch";

    /// <summary>The operation name of a stage span: <c>DataWeaver.Stage</c>.</summary>
    public const string StageOperation = "DataWeaver.Stage";

    /// <summary>The operation name of a sink write span: <c>DataWeaver.Write</c>.</summary>
    public const string WriteOperation = "DataWeaver.Write";

    /// <summary>The tag holding how many records a batch span stands for: <c>messaging.batch.message_count</c>.</summary>
    public const string RecordCountTag = "messaging.batch.message_count";

    /// <summary>The tag holding how many distinct record contexts a batch span could not link (beyond <see cref="MaxLinks"/>): <c>dataweaver.links.dropped</c>.</summary>
    public const string LinksDroppedTag = "dataweaver.links.dropped";

    /// <summary>The most span links a batch span gets: 128. Further distinct contexts are counted in <see cref="LinksDroppedTag"/>.</summary>
    public const int MaxLinks = 128;

    private static volatile Tracing.Internal.HeadSampler? s_headSampler;

    /// <summary>
    /// Gets or sets the engine's own head sampling for this process: the share of new traces kept, decided by the engine
    /// before it asks any listener, parent-based as OpenTelemetry's <c>ParentBasedSampler(TraceIdRatioBasedSampler(ratio))</c>:
    /// a batch whose first record carries a valid <c>traceparent</c> follows its sampled flag (a trace sampled upstream is
    /// followed whole; one that was not passes through untouched); a batch without one starts a new trace with probability
    /// <see cref="SampleRatio"/>. A batch not kept costs no <see cref="Activity"/>, no sampler call and no allocation. Kept
    /// batches are then offered to the listeners, whose sampler should keep them (DataWeaver.Hosting's
    /// <c>DataWeaverSampler</c> does; a ratio sampler there would apply its ratio a second time to new traces).
    /// </summary>
    /// <value>
    /// The default is <see langword="null"/>: the engine offers every batch to the listeners and their sampler decides
    /// (OpenTelemetry's SDK then allocates an <see cref="Activity"/> even for the batches it drops). From 0 (no new traces)
    /// to 1 (all). Process-wide, like the listeners themselves; the last value set applies to batches read from then on.
    /// </value>
    /// <exception cref="ArgumentOutOfRangeException">The value is outside 0 to 1, or NaN.</exception>
    public static double? SampleRatio
    {
        get => s_headSampler?.Ratio;
        set
        {
            if (value is { } ratio && (double.IsNaN(ratio) || ratio is < 0 or > 1))
            {
                throw new ArgumentOutOfRangeException(nameof(value), ratio, "SampleRatio must be between 0 and 1, or null.");
            }

            s_headSampler = value is { } kept ? new Tracing.Internal.HeadSampler(kept) : null;
        }
    }

    /// <summary>Gets the engine's head sampler, or <see langword="null"/> when the listeners decide.</summary>
    internal static Tracing.Internal.HeadSampler? HeadSampler => s_headSampler;

    /// <summary>Gets the activity source, versioned with the DataWeaver.Engine assembly.</summary>
    public static ActivitySource Source { get; } = new(Name, Diagnostics.DataWeaverMeter.Version);
}
