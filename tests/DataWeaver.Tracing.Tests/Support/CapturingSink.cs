using System.Collections.Concurrent;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Tracing.Tests.Support;

/// <summary>A sink that keeps, per record, the headers a propagating sink would send (<see cref="OutgoingTraceContext.Apply"/>), as the broker sinks do.</summary>
internal sealed class CapturingSink() : SinkConnector<Record<ReadOnlyMemory<byte>>>("capture")
{
    private readonly ConcurrentQueue<(long Id, RecordHeaders? Sent)> _sent = new();

    public IReadOnlyList<(long Id, RecordHeaders? Sent)> Sent => [.. _sent.OrderBy(s => s.Id)];

    // snippet: tracing-custom-sink
    public override ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
    {
        var trace = OutgoingTraceContext.Capture(); // once per batch: the engine's write span, or empty
        foreach (var record in batch.Span)
        {
            var headers = trace.Apply(record.Headers); // the record's headers with the write span's traceparent
            _sent.Enqueue((record.Position.Offset, headers));
        }

        return default;
    }
    // end snippet
}
