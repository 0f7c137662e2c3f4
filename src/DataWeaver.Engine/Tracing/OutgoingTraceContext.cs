using System.Diagnostics;
using System.Text;
using DataWeaver.Records;

namespace DataWeaver.Tracing;

/// <summary>
/// The trace context a sink writes into what it sends: the engine's write span of the batch being written
/// (<see cref="DataWeaverActivitySource.WriteOperation"/>). Capture it once per batch at the start of
/// <c>WriteBatchAsync</c>, then <see cref="Apply"/> it to each record's headers (or write <see cref="TraceParent"/> and
/// <see cref="TraceState"/> into a request's headers).
/// </summary>
/// <remarks>
/// A record keeps its own <c>traceparent</c> when it belongs to another trace than the batch span (a batch links many
/// traces but has one parent): its own trace then continues downstream. A record of the batch's trace, or without a
/// context, gets the write span's. Without a sampled write span (no listener, batch not sampled) the context is empty
/// and <see cref="Apply"/> returns the headers unchanged: an upstream <c>traceparent</c> passes through.
/// </remarks>
public readonly struct OutgoingTraceContext
{
    private readonly string? _traceId;

    private OutgoingTraceContext(Activity activity)
    {
        _traceId = activity.TraceId.ToHexString();
        TraceParent = TraceContextHeaders.FormatTraceParent(activity.Context);
        TraceState = activity.TraceStateString;
    }

    /// <summary>Gets the <c>traceparent</c> to write, or <see langword="null"/> when there is no context.</summary>
    public string? TraceParent { get; }

    /// <summary>Gets the <c>tracestate</c> to write, or <see langword="null"/>.</summary>
    public string? TraceState { get; }

    /// <summary>Gets whether there is no context to write.</summary>
    public bool IsEmpty => TraceParent is null;

    /// <summary>
    /// Captures <see cref="Activity.Current"/> when it is a DataWeaver write span (the engine sets it while a sink's
    /// <c>WriteBatchAsync</c> runs); otherwise the empty context. Another activity that happens to be current (the
    /// application's own) is not written into records.
    /// </summary>
    /// <returns>The context; empty when there is none.</returns>
    public static OutgoingTraceContext Capture() =>
        Activity.Current is { } current && ReferenceEquals(current.Source, DataWeaverActivitySource.Source) && current.OperationName == DataWeaverActivitySource.WriteOperation
            ? new OutgoingTraceContext(current)
            : default;

    /// <summary>Whether a record with <paramref name="headers"/> gets this context (rather than keeping its own).</summary>
    /// <param name="headers">The record's headers.</param>
    /// <returns><see langword="true"/> when the context is not empty and the record has no valid <c>traceparent</c> or one of the same trace.</returns>
    public bool AppliesTo(RecordHeaders? headers)
    {
        if (_traceId is null)
        {
            return false;
        }

        if (headers is null || !headers.TryGetLast(TraceContextHeaders.TraceParent, out var own) || own.Length != 55)
        {
            return true;
        }

        Span<char> traceId = stackalloc char[32];
        return Encoding.ASCII.GetChars(own.Span.Slice(3, 32), traceId) == 32 && traceId.Equals(_traceId, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The headers to send for a record: <paramref name="headers"/> itself when the record keeps its own context (or this
    /// one is empty), else a new list with the record's headers minus its trace context headers, plus this context's.
    /// The record's list is never changed.
    /// </summary>
    /// <param name="headers">The record's headers, or <see langword="null"/>.</param>
    /// <returns>The headers to write.</returns>
    public RecordHeaders? Apply(RecordHeaders? headers)
    {
        if (!AppliesTo(headers))
        {
            return headers;
        }

        var result = new RecordHeaders();
        if (headers is not null)
        {
            foreach (var header in headers)
            {
                if (!TraceContextHeaders.IsTraceContextHeader(header.Name))
                {
                    result.Add(header.Name, header.Value);
                }
            }
        }

        result.Add(TraceContextHeaders.TraceParent, TraceParent!);
        if (!string.IsNullOrEmpty(TraceState))
        {
            result.Add(TraceContextHeaders.TraceState, TraceState);
        }

        return result;
    }
}
