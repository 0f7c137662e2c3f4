using System.Buffers;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Streams;

/// <summary>
/// Produces each record's key, value and headers to a stream of any <see cref="IStreamFramework"/>, a batch
/// at a time. A batch is acknowledged once every message of it is durably stored, so with
/// <see cref="StreamSource"/> upstream the pipeline is at-least-once end to end.
/// </summary>
public class StreamSink : SinkConnector<Record<ReadOnlyMemory<byte>>>
{
    /// <summary>Creates the sink.</summary>
    /// <param name="framework">The stream framework.</param>
    /// <param name="topic">The stream to produce to; it must exist when the pipeline writes.</param>
    /// <param name="options">Partitioning and timestamps; <see langword="null"/> uses the defaults (by key, keep timestamps).</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>stream:{topic}</c>.</param>
    public StreamSink(IStreamFramework framework, string topic, StreamSinkOptions? options = null, string? name = null)
        : base(name ?? "stream:" + topic)
    {
        ArgumentNullException.ThrowIfNull(framework);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        Framework = framework;
        Topic = topic;
        Options = options ?? new StreamSinkOptions();
    }

    /// <summary>Gets the stream framework written to.</summary>
    public IStreamFramework Framework { get; }

    /// <summary>Gets the stream written to.</summary>
    public string Topic { get; }

    /// <summary>Gets the sink options.</summary>
    public StreamSinkOptions Options { get; }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
    {
        var count = batch.Length;
        if (count == 0)
        {
            return;
        }

        var messages = ArrayPool<OutgoingMessage>.Shared.Rent(count);
        try
        {
            var records = batch.Span;
            var keepPartition = Options.KeepPartition;
            var keepTimestamp = Options.KeepTimestamp;
            var trace = Tracing.OutgoingTraceContext.Capture();
            for (var i = 0; i < count; i++)
            {
                ref readonly var record = ref records[i];
                messages[i] = new OutgoingMessage(record.Key, record.Value, trace.Apply(record.Headers))
                {
                    Partition = keepPartition ? record.Position.Partition : null,
                    Timestamp = keepTimestamp && record.Timestamp != default ? record.Timestamp : null,
                };
            }

            await Framework.ProduceMessagesAsync(Topic, messages.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<OutgoingMessage>.Shared.Return(messages, clearArray: true);
        }
    }
}
