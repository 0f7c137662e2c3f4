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
/// Cost: without a listener, one <see cref="ActivitySource.HasListeners"/> check per batch and block. With one, the
/// sampler is asked once per batch (about the first record's context); only a sampled batch looks at the other records'
/// headers (for links) and gets stage and write spans. Sampling (parent-based, a ratio for new traces) is the listener's:
/// OpenTelemetry's <c>ParentBasedSampler</c> over a <c>TraceIdRatioBasedSampler</c>, as DataWeaver.Hosting and the CLI set it.
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

    /// <summary>Gets the activity source, versioned with the DataWeaver.Engine assembly.</summary>
    public static ActivitySource Source { get; } = new(Name, Diagnostics.DataWeaverMeter.Version);
}
