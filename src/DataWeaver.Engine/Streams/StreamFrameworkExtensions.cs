using System.Runtime.CompilerServices;
using System.Text;
using DataWeaver.Records;

namespace DataWeaver.Streams;

/// <summary>Convenience calls over any <see cref="IStreamFramework"/>.</summary>
public static class StreamFrameworkExtensions
{
    private const int CommitEvery = 1024;

    /// <summary>
    /// Reads a stream as a consumer group member, message after message. Never ends while the framework runs; ends when
    /// it stops.
    /// </summary>
    /// <remarks>
    /// Auto-commit, like Kafka's <c>enable.auto.commit</c>: a message counts as handled once the loop asks for
    /// the next one, and handled offsets are committed every 1,024 messages, before waiting for new messages,
    /// and when the loop ends. The message the loop was on when it ended is not committed, so it is read again
    /// by the group's next consumer. In a pipeline, a message is handed on before it is written, so this is
    /// not at-least-once end to end; <see cref="StreamSource"/> commits only what the sinks acknowledged.
    /// </remarks>
    /// <param name="framework">The framework.</param>
    /// <param name="topic">The stream.</param>
    /// <param name="options">The group and where a new group starts; <see langword="null"/> uses the defaults.</param>
    /// <param name="cancellationToken">Ends the loop with <see cref="OperationCanceledException"/>.</param>
    /// <returns>The messages of the partitions assigned to this member, in offset order within each partition.</returns>
    public static async IAsyncEnumerable<StreamMessage> ConsumeStream(
        this IStreamFramework framework,
        string topic,
        StreamConsumerOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(framework);
        var consumer = await framework.ConsumeStreamAsync(topic, options, cancellationToken).ConfigureAwait(false);
        await using (consumer.ConfigureAwait(false))
        {
            var handled = new Dictionary<int, long>();
            var sinceCommit = 0;
            try
            {
                while (true)
                {
                    while (consumer.TryConsume(out var message))
                    {
                        yield return message;
                        handled[message.Partition] = message.Offset + 1;
                        if (++sinceCommit >= CommitEvery)
                        {
                            await CommitAsync(consumer, handled, cancellationToken).ConfigureAwait(false);
                            sinceCommit = 0;
                        }
                    }

                    await CommitAsync(consumer, handled, cancellationToken).ConfigureAwait(false);
                    sinceCommit = 0;
                    if (!await consumer.WaitToConsumeAsync(cancellationToken).ConfigureAwait(false))
                    {
                        yield break;
                    }
                }
            }
            finally
            {
                try
                {
                    await CommitAsync(consumer, handled, CancellationToken.None).ConfigureAwait(false);
                }
                catch (StreamFrameworkException exception) when (exception.Code == StreamErrorCode.Stopped)
                {
                    // The framework stopped under the loop: nothing can be committed any more, and nothing is lost.
                }
            }
        }
    }

    /// <summary>Produces one message from key and value bytes.</summary>
    /// <param name="framework">The framework.</param>
    /// <param name="topic">The stream.</param>
    /// <param name="key">The key bytes; empty for no key (round-robin partitioning).</param>
    /// <param name="value">The value bytes.</param>
    /// <param name="headers">The headers, or <see langword="null"/>.</param>
    /// <param name="cancellationToken">Stops waiting for room.</param>
    /// <returns>Where the message was stored.</returns>
    public static ValueTask<StreamDeliveryResult> ProduceMessageAsync(
        this IStreamFramework framework,
        string topic,
        ReadOnlyMemory<byte> key,
        ReadOnlyMemory<byte> value,
        RecordHeaders? headers = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(framework);
        return framework.ProduceMessageAsync(topic, new OutgoingMessage(key, value, headers), cancellationToken);
    }

    /// <summary>Produces one message whose key and value are text, stored as UTF-8.</summary>
    /// <param name="framework">The framework.</param>
    /// <param name="topic">The stream.</param>
    /// <param name="key">The key; <see langword="null"/> or empty for no key (round-robin partitioning).</param>
    /// <param name="value">The value.</param>
    /// <param name="cancellationToken">Stops waiting for room.</param>
    /// <returns>Where the message was stored.</returns>
    public static ValueTask<StreamDeliveryResult> ProduceMessageAsync(
        this IStreamFramework framework,
        string topic,
        string? key,
        string value,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(framework);
        ArgumentNullException.ThrowIfNull(value);
        var keyBytes = string.IsNullOrEmpty(key) ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(key);
        return framework.ProduceMessageAsync(topic, new OutgoingMessage(keyBytes, Encoding.UTF8.GetBytes(value)), cancellationToken);
    }

    private static async ValueTask CommitAsync(IStreamConsumer consumer, Dictionary<int, long> handled, CancellationToken cancellationToken)
    {
        if (handled.Count == 0)
        {
            return;
        }

        var positions = new SourcePosition[handled.Count];
        var i = 0;
        foreach (var (partition, offset) in handled)
        {
            positions[i++] = new SourcePosition(partition, offset);
        }

        handled.Clear();
        await consumer.CommitAsync(positions, cancellationToken).ConfigureAwait(false);
    }
}
