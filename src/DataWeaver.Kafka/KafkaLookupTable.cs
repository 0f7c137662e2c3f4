using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Confluent.Kafka;
using DataWeaver.Joins;

namespace DataWeaver.Kafka;

/// <summary>
/// Lookup tables that follow a compacted Kafka topic (a changelog: the last value of each key is the table, a message
/// without a value deletes its key), for <see cref="Pipelines.LookupJoinPipelineBuilderExtensions.LookupJoin{T, TKey, TValue, TOut}"/>.
/// </summary>
public static class KafkaLookupTable
{
    /// <summary>How many changes may wait between the topic's reader and the join (then the reader waits).</summary>
    private const int ChangeBuffer = 4096;

    /// <summary>
    /// A table following <paramref name="topic"/>: each run reads every partition from its beginning up to its end (the
    /// high watermark the reader finds when it gets there: <c>enable.partition.eof</c>) before the first record is
    /// joined, then applies every later message live, between two batches. A message with a value sets its key; a
    /// message without a value (a tombstone) deletes it; a message without a key is ignored. The table is counted
    /// against <see cref="LookupJoinOptions.StateBudgetBytes"/> as it changes. The reader is outside any consumer group
    /// (partitions assigned, nothing committed), reads committed data only (<c>isolation.level=read_committed</c>), and
    /// takes the framework's <see cref="KafkaStreamOptions.Settings"/> and <see cref="KafkaStreamOptions.ConsumerSettings"/>.
    /// Partitions added to the topic later are not followed. <see cref="LookupJoinOptions.RefreshInterval"/> must be unset.
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="kafka">The Kafka stream framework; it must be started before the pipeline runs.</param>
    /// <param name="topic">The topic; it must exist.</param>
    /// <param name="keyDecoder">Decodes a message key. MUST NOT keep the array (a new one per message, but owned by the reader).</param>
    /// <param name="valueDecoder">Decodes a message value; an exception fails the run (a table with a hole is not served).</param>
    /// <returns>The table, named <c>kafka:{topic}</c>.</returns>
    public static LookupTable<TKey, TValue> FromCompactedTopic<TKey, TValue>(
        KafkaStreamFramework kafka,
        string topic,
        Func<byte[], TKey> keyDecoder,
        Func<byte[], TValue> valueDecoder)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(kafka);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        ArgumentNullException.ThrowIfNull(keyDecoder);
        ArgumentNullException.ThrowIfNull(valueDecoder);
        return LookupTable.FromChanges<TKey, TValue>(ct => FollowAsync(kafka, topic, keyDecoder, valueDecoder, ct), "kafka:" + topic);
    }

    private static async IAsyncEnumerable<LookupChange<TKey, TValue>> FollowAsync<TKey, TValue>(
        KafkaStreamFramework kafka, string topic, Func<byte[], TKey> keyDecoder, Func<byte[], TValue> valueDecoder, [EnumeratorCancellation] CancellationToken cancellationToken)
        where TKey : notnull
    {
        var partitions = await kafka.GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        var changes = Channel.CreateBounded<LookupChange<TKey, TValue>>(new BoundedChannelOptions(ChangeBuffer) { SingleReader = true, SingleWriter = true });
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reader = new Thread(() => Read(kafka, topic, partitions, keyDecoder, valueDecoder, changes.Writer, stop.Token))
        {
            IsBackground = true,
            Name = "dataweaver-lookup-" + topic,
        };
        reader.Start();
        try
        {
            await foreach (var change in changes.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return change;
            }
        }
        finally
        {
            await stop.CancelAsync().ConfigureAwait(false);
            reader.Join();
        }
    }

    /// <summary>The reader thread: assigns every partition from its beginning, marks the end of the initial contents, then follows.</summary>
    private static void Read<TKey, TValue>(
        KafkaStreamFramework kafka, string topic, int partitions, Func<byte[], TKey> keyDecoder, Func<byte[], TValue> valueDecoder,
        ChannelWriter<LookupChange<TKey, TValue>> changes, CancellationToken cancellationToken)
        where TKey : notnull
    {
        Exception? error = null;
        try
        {
            using var consumer = KafkaClientFactory.Consumer(kafka.CreateReaderConfig("lookup"), kafka.Options);
            consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
            var unsynced = Enumerable.Range(0, partitions).ToHashSet();
            while (!cancellationToken.IsCancellationRequested)
            {
                ConsumeResult<byte[], byte[]>? result;
                try
                {
                    result = consumer.Consume(100);
                }
                catch (ConsumeException exception) when (!exception.Error.IsFatal)
                {
                    // librdkafka reports and retries transport errors itself (the framework's error handler logs them).
                    continue;
                }

                if (result is null)
                {
                    continue;
                }

                if (result.IsPartitionEOF)
                {
                    if (unsynced.Remove(result.Partition.Value) && unsynced.Count == 0)
                    {
                        Write(changes, LookupChange<TKey, TValue>.Synced(), cancellationToken);
                    }

                    continue;
                }

                if (result.Message.Key is not { } key)
                {
                    continue;
                }

                Write(
                    changes,
                    result.Message.Value is { } value
                        ? LookupChange<TKey, TValue>.Upsert(keyDecoder(key), valueDecoder(value))
                        : LookupChange<TKey, TValue>.Delete(keyDecoder(key)),
                    cancellationToken);
            }

            consumer.Close();
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (KafkaException exception)
        {
            error = KafkaErrors.Map(exception, $"Following the lookup table '{topic}'", topic);
        }
#pragma warning disable CA1031 // A decoder's exception ends the table's stream and so fails the run that joins against it.
        catch (Exception exception)
#pragma warning restore CA1031
        {
            error = exception;
        }

        changes.TryComplete(error);
    }

    private static void Write<TKey, TValue>(ChannelWriter<LookupChange<TKey, TValue>> changes, LookupChange<TKey, TValue> change, CancellationToken cancellationToken)
    {
        if (!changes.TryWrite(change))
        {
            // The join applies changes between batches; this dedicated thread waits for room meanwhile.
            changes.WriteAsync(change, cancellationToken).AsTask().GetAwaiter().GetResult();
        }
    }
}
