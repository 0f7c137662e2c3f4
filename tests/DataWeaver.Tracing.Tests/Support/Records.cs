using System.Diagnostics;
using System.Globalization;
using System.Text;
using DataWeaver.Records;

namespace DataWeaver.Tracing.Tests.Support;

internal static class TestRecords
{
    public static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    /// <summary>A context as an upstream producer's span would send it (sampled, with a tracestate).</summary>
    public static ActivityContext UpstreamContext() =>
        new(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.Recorded, "vendor=upstream", isRemote: true);

    public static RecordHeaders Headers(ActivityContext context) => new RecordHeaders()
        .Add(TraceContextHeaders.TraceParent, TraceContextHeaders.FormatTraceParent(context))
        .Add(TraceContextHeaders.TraceState, context.TraceState!);

    public static byte[] Json(long id) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{id}}}"));

    public static Record<ReadOnlyMemory<byte>> Record(long id, RecordHeaders? headers) =>
        new(ReadOnlyMemory<byte>.Empty, Json(id), headers, default, default);

    /// <summary>A record at offset <paramref name="id"/> of partition 0.</summary>
    public static Record<ReadOnlyMemory<byte>> Positioned(long id, RecordHeaders? headers) =>
        Record(id, headers) with { Position = new SourcePosition(0, id) };

    /// <summary>The context a record's headers carry (the test fails when there is none).</summary>
    public static ActivityContext ContextOf(RecordHeaders? headers)
    {
        Assert.True(TraceContextHeaders.TryGetContext(headers, out var context), "the record carries no valid traceparent");
        return context;
    }

    public static string Unique(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..10];
}
