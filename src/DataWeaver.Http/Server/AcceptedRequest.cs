using DataWeaver.Http.Internal;
using DataWeaver.Records;

namespace DataWeaver.Http;

/// <summary>A request accepted into the in-flight bound: its body, its records, how far the reader handed them over, its outcome.</summary>
internal sealed class AcceptedRequest(byte[] body, List<BodyItem> items, DateTimeOffset timestamp)
{
    public byte[] Body { get; } = body;

    public List<BodyItem> Items { get; } = items;

    public DateTimeOffset Timestamp { get; } = timestamp;

    /// <summary>Gets the request's <c>traceparent</c> and <c>tracestate</c>, copied into each of its records, or <see langword="null"/>.</summary>
    public RecordHeaders? TraceHeaders { get; init; }

    /// <summary>Gets how many items the reader handed to the pipeline.</summary>
    public int Handed { get; set; }

    /// <summary>Gets the resume offset of its last record, once every record was handed over.</summary>
    public long ResumeOffset { get; set; }

    /// <summary>Gets the outcome: <see langword="true"/> once committed, <see langword="false"/> when the pipeline ended first.</summary>
    public TaskCompletionSource<bool> Outcome { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}
