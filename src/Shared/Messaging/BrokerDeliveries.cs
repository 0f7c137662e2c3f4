using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Messaging.Internal;

/// <summary>
/// A message a broker source received, on connection (channel) <paramref name="Generation"/>: a record, a poison message (its
/// bytes in the record's value), or the mark that the connection went away.
/// </summary>
internal readonly record struct BrokerDelivery(int Generation, Record<ReadOnlyMemory<byte>> Record, bool Poison = false, bool IsBreak = false);

/// <summary>
/// The reader of a broker source (compiled into each broker connector, src/Shared/Messaging): hands the deliveries of the
/// current connection to the pipeline, drops those of a lost one (the broker sends them again: whatever did not reach the
/// pipeline before the connection went away, so that a broker restart duplicates at most what was in flight), rejects poison
/// to the error policy, and reconnects when the connection went away, once the records before the mark went on.
/// </summary>
/// <param name="deliveries">The deliveries; a lost connection's break mark MUST reach it (an unbounded channel: TryWrite never fails).</param>
/// <param name="currentGeneration">The generation (connection) the source reads now.</param>
/// <param name="isLost">Whether the connection of the current generation went away (its break mark may still be on its way).</param>
/// <param name="poisonError">The error a poison delivery is rejected with.</param>
/// <param name="reconnect">Connects again; the generation changes.</param>
internal sealed class BrokerDeliveryReader(
    Channel<BrokerDelivery> deliveries,
    Func<int> currentGeneration,
    Func<bool> isLost,
    Func<Record<ReadOnlyMemory<byte>>, Exception> poisonError,
    Func<CancellationToken, ValueTask> reconnect) : SourceReader<Record<ReadOnlyMemory<byte>>>
{
    public override async ValueTask<bool> FillAsync(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, CancellationToken cancellationToken)
    {
        var queue = deliveries.Reader;
        while (true)
        {
            var broken = false;
            var generation = currentGeneration();
            var lost = isLost();
            while (!buffer.IsFull && queue.TryRead(out var delivery))
            {
                if (delivery.Generation != generation)
                {
                    continue; // of a lost connection: the broker sends it again
                }

                if (delivery.IsBreak)
                {
                    broken = true;
                    break;
                }

                if (lost)
                {
                    continue; // the connection went away before this delivery reached the pipeline: the broker sends it again
                }

                var record = delivery.Record;
                var resume = new SourcePosition(record.Position.Partition, record.Position.Offset + 1);
                if (delivery.Poison)
                {
                    buffer.Reject(poisonError(record), record.Position, resume, record.Value.Span);
                }
                else
                {
                    buffer.Add(record, resume, record.Key.Length + record.Value.Length);
                }
            }

            if (buffer.Count > 0)
            {
                if (broken)
                {
                    deliveries.Writer.TryWrite(new BrokerDelivery(generation, default, IsBreak: true)); // handled on the next call
                }

                return true;
            }

            if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }

            if (broken)
            {
                await reconnect(cancellationToken).ConfigureAwait(false);
                continue;
            }

            if (!await queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }
}
