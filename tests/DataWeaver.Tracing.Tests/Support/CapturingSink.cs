using System.Collections.Concurrent;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Tracing.Tests.Support;

/// <summary>A sink that keeps, per record, the headers a propagating sink would send (<see cref="OutgoingTraceContext.Apply"/>), as the broker sinks do.</summary>
internal sealed class CapturingSink() : SinkConnector<Record<ReadOnlyMemory<byte>>>("capture")
{
    private readonly ConcurrentQueue<(long Id, RecordHeaders? Sent)> _sent = new();

    public IReadOnlyList<(long Id, RecordHeaders? Sent)> Sent => [.. _sent.OrderBy(s => s.Id)];

    public override ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
    {
        var trace = OutgoingTraceContext.Capture();
        foreach (var record in batch.Span)
        {
            _sent.Enqueue((record.Position.Offset, trace.Apply(record.Headers)));
        }

        return default;
    }
}
