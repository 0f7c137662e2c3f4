using System.Diagnostics;
using System.Text;
using DataWeaver.Records;

namespace DataWeaver.Tracing;

/// <summary>
/// The W3C trace context headers (<c>traceparent</c>, <c>tracestate</c>) as record headers: what sources read and
/// sinks write. Header names are compared exactly (lowercase, as the W3C recommendation writes them); HTTP and NATS
/// headers are case-insensitive and are matched before they become record headers.
/// </summary>
public static class TraceContextHeaders
{
    /// <summary>The <c>traceparent</c> header: <c>00-{trace id}-{span id}-{flags}</c>.</summary>
    public const string TraceParent = "traceparent";

    /// <summary>The <c>tracestate</c> header: vendor-specific trace data travelling with <see cref="TraceParent"/>.</summary>
    public const string TraceState = "tracestate";

    /// <summary>Whether <paramref name="name"/> is one of the two trace context headers.</summary>
    /// <param name="name">A header name.</param>
    /// <returns><see langword="true"/> for <c>traceparent</c> and <c>tracestate</c>, in any letter case.</returns>
    public static bool IsTraceContextHeader(string name) =>
        string.Equals(name, TraceParent, StringComparison.OrdinalIgnoreCase) || string.Equals(name, TraceState, StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads a record's trace context from its last <c>traceparent</c> (and <c>tracestate</c>) header.</summary>
    /// <param name="headers">The record's headers, or <see langword="null"/>.</param>
    /// <param name="context">The context, marked remote, when found and valid.</param>
    /// <returns><see langword="true"/> when the headers hold a valid <c>traceparent</c>. An invalid one is ignored, never an error.</returns>
    public static bool TryGetContext(RecordHeaders? headers, out ActivityContext context)
    {
        if (headers is null || headers.Count == 0 || !headers.TryGetLast(TraceParent, out var parent) || parent.Length != 55)
        {
            context = default;
            return false;
        }

        var state = headers.TryGetLast(TraceState, out var stateBytes) ? Encoding.UTF8.GetString(stateBytes.Span) : null;
        return ActivityContext.TryParse(Encoding.ASCII.GetString(parent.Span), state, isRemote: true, out context);
    }

    /// <summary>Formats a context as a <c>traceparent</c> value.</summary>
    /// <param name="context">The context.</param>
    /// <returns><c>00-{trace id}-{span id}-{01 when recorded, else 00}</c>.</returns>
    public static string FormatTraceParent(in ActivityContext context) =>
        "00-" + context.TraceId.ToHexString() + "-" + context.SpanId.ToHexString() + ((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "-01" : "-00");
}
