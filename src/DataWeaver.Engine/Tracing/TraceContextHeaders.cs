using System.Buffers;
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
    private static readonly SearchValues<byte> LowerHex = SearchValues.Create("0123456789abcdef"u8);

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

    /// <summary>
    /// Reads the sampled flag of a record's last <c>traceparent</c> without allocating: <see cref="SampledFlag.None"/> when
    /// there is no valid one (the rules <see cref="TryGetContext"/> applies: length, version, lowercase hex, ids not all zero).
    /// </summary>
    internal static SampledFlag PeekSampled(RecordHeaders? headers)
    {
        if (headers is null || headers.Count == 0 || !headers.TryGetLast(TraceParent, out var value) || value.Length != 55)
        {
            return SampledFlag.None;
        }

        var bytes = value.Span;
        if (bytes[2] != '-' || bytes[35] != '-' || !IsLowerHex(bytes[..2]) || bytes[..2].SequenceEqual("ff"u8)
            || !IsLowerHexNotAllZero(bytes.Slice(3, 32)) || !IsLowerHexNotAllZero(bytes.Slice(36, 16)) || !IsLowerHex(bytes.Slice(53, 2)))
        {
            return SampledFlag.None;
        }

        var low = bytes[54];
        var flags = low <= '9' ? low - '0' : low - 'a' + 10;
        return (flags & 1) != 0 ? SampledFlag.Sampled : SampledFlag.NotSampled;

        static bool IsLowerHex(ReadOnlySpan<byte> span) => !span.ContainsAnyExcept(LowerHex);

        static bool IsLowerHexNotAllZero(ReadOnlySpan<byte> span) => IsLowerHex(span) && span.ContainsAnyExcept((byte)'0');
    }

    /// <summary>Formats a context as a <c>traceparent</c> value.</summary>
    /// <param name="context">The context.</param>
    /// <returns><c>00-{trace id}-{span id}-{01 when recorded, else 00}</c>.</returns>
    public static string FormatTraceParent(in ActivityContext context) =>
        "00-" + context.TraceId.ToHexString() + "-" + context.SpanId.ToHexString() + ((context.TraceFlags & ActivityTraceFlags.Recorded) != 0 ? "-01" : "-00");

    /// <summary>What a record's <c>traceparent</c> says about sampling.</summary>
    internal enum SampledFlag
    {
        /// <summary>No valid <c>traceparent</c>: a new trace.</summary>
        None,

        /// <summary>A context whose sampled flag is set.</summary>
        Sampled,

        /// <summary>A context whose sampled flag is clear.</summary>
        NotSampled,
    }
}
