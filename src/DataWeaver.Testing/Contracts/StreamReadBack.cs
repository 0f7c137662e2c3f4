using DataWeaver.Records;
using DataWeaver.Streams;

namespace DataWeaver.Testing.Contracts;

/// <summary>Reads back a whole stream of an <see cref="IStreamFramework"/> (an in-process stream, a Kafka topic), for the sink contract of a stream sink.</summary>
public static class StreamReadBack
{
    /// <summary>
    /// Reads every message of <paramref name="topic"/> up to its high watermarks at the call, as a new consumer group
    /// starting at the earliest offsets, and returns them as records with copied bytes, partition by partition in offset order.
    /// </summary>
    /// <param name="framework">The framework, started.</param>
    /// <param name="topic">The stream.</param>
    /// <param name="cancellationToken">Aborts the read.</param>
    /// <returns>The records.</returns>
    public static async Task<IReadOnlyList<Record<ReadOnlyMemory<byte>>>> ReadAllAsync(IStreamFramework framework, string topic, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(framework);
        var watermarks = await framework.GetWatermarksAsync(topic, cancellationToken).ConfigureAwait(false);
        var expected = watermarks.Sum(w => w.High - w.Low);
        var messages = new List<StreamMessage>();
        if (expected == 0)
        {
            return [];
        }

        var options = new StreamConsumerOptions { GroupId = "dw-readback-" + Guid.NewGuid().ToString("N"), StartFrom = StreamStartPosition.Earliest };
        var consumer = await framework.ConsumeStreamAsync(topic, options, cancellationToken).ConfigureAwait(false);
        await using (consumer.ConfigureAwait(false))
        {
            var high = watermarks.ToDictionary(w => w.Partition, w => w.High);
            while (messages.Count < expected && await consumer.WaitToConsumeAsync(cancellationToken).ConfigureAwait(false))
            {
                while (consumer.TryConsume(out var message))
                {
                    if (message.Offset < high.GetValueOrDefault(message.Partition))
                    {
                        messages.Add(message with { Key = message.Key.ToArray(), Value = message.Value.ToArray() });
                    }
                }
            }
        }

        return [.. messages.OrderBy(m => m.Partition).ThenBy(m => m.Offset).Select(m => m.ToRecord())];
    }
}
