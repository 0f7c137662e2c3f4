using System.Net.Http.Headers;
using DataWeaver.Records;
using DataWeaver.Tracing;
using Microsoft.AspNetCore.Http;

namespace DataWeaver.Http.Internal;

/// <summary>W3C trace context over HTTP: the server source reads it from a request, the client sink writes it into its requests.</summary>
internal static class HttpTraceContext
{
    /// <summary>The record headers that carry a request's <c>traceparent</c> and <c>tracestate</c>, or <see langword="null"/> when it has none.</summary>
    public static RecordHeaders? Read(IHeaderDictionary headers)
    {
        if (headers.TryGetValue(TraceContextHeaders.TraceParent, out var parent) && parent is [{ Length: > 0 } traceParent])
        {
            var result = new RecordHeaders().Add(TraceContextHeaders.TraceParent, traceParent);
            if (headers.TryGetValue(TraceContextHeaders.TraceState, out var state) && state.Count > 0)
            {
                result.Add(TraceContextHeaders.TraceState, state.ToString());
            }

            return result;
        }

        return null;
    }

    /// <summary>Sets a request's <c>traceparent</c> and <c>tracestate</c> to the sink's write span, when there is one.</summary>
    public static void Write(in OutgoingTraceContext trace, HttpRequestHeaders headers)
    {
        if (trace.TraceParent is not { } traceParent)
        {
            return;
        }

        headers.Remove(TraceContextHeaders.TraceParent);
        headers.Remove(TraceContextHeaders.TraceState);
        headers.TryAddWithoutValidation(TraceContextHeaders.TraceParent, traceParent);
        if (!string.IsNullOrEmpty(trace.TraceState))
        {
            headers.TryAddWithoutValidation(TraceContextHeaders.TraceState, trace.TraceState);
        }
    }
}
