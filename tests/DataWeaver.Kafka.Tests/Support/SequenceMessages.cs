using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;

namespace DataWeaver.Kafka.Tests.Support;

/// <summary>
/// Produces messages numbered 0..count-1 (the value holds the number, big-endian, padded to <c>valueBytes</c>;
/// the key is <c>number % keys</c>) with one delivery handler and no await per message, as the sink must.
/// </summary>
public sealed class SequenceProducer
{
    private readonly ConcurrentQueue<string> errors = new();
    private long delivered;

    /// <summary>Messages acknowledged by the cluster.</summary>
    public long Delivered => Interlocked.Read(ref delivered);

    /// <summary>Failed deliveries ("reason" each), at most the first 100 kept.</summary>
    public IReadOnlyCollection<string> Errors => errors;

    /// <summary>Produces <paramref name="count"/> messages starting at <paramref name="first"/>, then flushes.</summary>
    /// <param name="producer">The producer.</param>
    /// <param name="topic">The topic.</param>
    /// <param name="first">First sequence number.</param>
    /// <param name="count">How many.</param>
    /// <param name="keys">Distinct keys (spread over partitions by librdkafka's murmur2_random partitioner).</param>
    /// <param name="valueBytes">Value size, at least 8.</param>
    /// <param name="betweenChunks">Called after every 1,000 messages (pacing, faults); may be null.</param>
    /// <param name="flushTimeout">How long the final flush may take; when given, messages may still be in flight on return.</param>
    public void Produce(IProducer<byte[], byte[]> producer, string topic, long first, long count, int keys = 256, int valueBytes = 100,
        Action<long>? betweenChunks = null, TimeSpan? flushTimeout = null)
    {
        Action<DeliveryReport<byte[], byte[]>> handler = report =>
        {
            if (report.Error.IsError)
            {
                if (errors.Count < 100)
                {
                    errors.Enqueue($"{report.Error.Code}: {report.Error.Reason}");
                }
            }
            else
            {
                Interlocked.Increment(ref delivered);
            }
        };

        for (var i = first; i < first + count; i++)
        {
            var value = new byte[valueBytes];
            BinaryPrimitives.WriteInt64BigEndian(value, i);
            var key = new byte[4];
            BinaryPrimitives.WriteInt32BigEndian(key, (int)(i % keys));
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<byte[], byte[]> { Key = key, Value = value }, handler);
                    break;
                }
                catch (ProduceException<byte[], byte[]> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }

            if ((i - first + 1) % 1_000 == 0)
            {
                betweenChunks?.Invoke(i - first + 1);
            }
        }

        var remaining = producer.Flush(flushTimeout ?? TimeSpan.FromSeconds(30));
        if (remaining != 0 && flushTimeout is null)
        {
            throw new TimeoutException($"{remaining} messages still in flight after the flush.");
        }
    }
}

/// <summary>
/// Checks consumed sequence numbers: each seen once (no duplicates), none missing (no loss), and strictly increasing
/// within each partition (order kept). Not thread-safe: one consumer thread feeds it.
/// </summary>
public sealed class SequenceChecker(long expected)
{
    private readonly byte[] seen = new byte[expected];
    private readonly Dictionary<int, long> lastPerPartition = [];
    private readonly Dictionary<int, long> nextOffsetPerPartition = [];
    private readonly Dictionary<int, long> duplicatesPerPartition = [];

    /// <summary>Distinct sequence numbers seen.</summary>
    public long Distinct { get; private set; }

    /// <summary>Messages seen more than once.</summary>
    public long Duplicates { get; private set; }

    /// <summary>Messages seen more than once, per partition they were read from.</summary>
    public IReadOnlyDictionary<int, long> DuplicatesByPartition => duplicatesPerPartition;

    /// <summary>Messages that arrived after a higher number of the same partition.</summary>
    public long OutOfOrder { get; private set; }

    /// <summary>Messages whose offset is not the previous one + 1 in their partition (gaps or repeats).</summary>
    public long OffsetBreaks { get; private set; }

    /// <summary>Sequence numbers never seen.</summary>
    public long Lost => expected - Distinct;

    /// <summary>The next offset to read per partition (what to commit).</summary>
    public IReadOnlyDictionary<int, long> NextOffsets => nextOffsetPerPartition;

    /// <summary>Records one consumed message.</summary>
    /// <param name="result">The message.</param>
    public void Add(ConsumeResult<byte[], byte[]> result)
    {
        var sequence = BinaryPrimitives.ReadInt64BigEndian(result.Message.Value);
        var partition = result.Partition.Value;
        var offset = result.Offset.Value;
        if (nextOffsetPerPartition.TryGetValue(partition, out var nextOffset) && nextOffset != offset)
        {
            OffsetBreaks++;
        }

        nextOffsetPerPartition[partition] = offset + 1;
        if (lastPerPartition.TryGetValue(partition, out var last) && sequence <= last)
        {
            OutOfOrder++;
        }

        lastPerPartition[partition] = sequence;
        if (seen[sequence] != 0)
        {
            Duplicates++;
            duplicatesPerPartition[partition] = duplicatesPerPartition.GetValueOrDefault(partition) + 1;
        }
        else
        {
            seen[sequence] = 1;
            Distinct++;
        }
    }

    /// <summary>Asserts 0 lost, 0 duplicated, order kept.</summary>
    public void AssertExactlyOnceInOrder()
    {
        Assert.Equal(0, Duplicates);
        Assert.Equal(0, OutOfOrder);
        Assert.Equal(0, OffsetBreaks);
        Assert.Equal(0, Lost);
    }

    /// <summary>
    /// Asserts 0 lost, 0 duplicated, order kept, in a topic written by transactions: each committed transaction leaves
    /// a commit marker (a control record the consumer never sees) in every partition it wrote, so offsets may skip, at
    /// most once per partition per committed transaction. A re-read or a resent record is a duplicate and still fails.
    /// </summary>
    /// <param name="committedTransactions">How many transactions wrote to the topic.</param>
    /// <param name="partitions">The topic's partition count.</param>
    public void AssertExactlyOnceInOrderWithTransactionMarkers(long committedTransactions, int partitions)
    {
        Assert.Equal(0, Duplicates);
        Assert.Equal(0, OutOfOrder);
        Assert.Equal(0, Lost);
        Assert.InRange(OffsetBreaks, 0, committedTransactions * partitions);
    }

    /// <summary>Consumes until <paramref name="count"/> messages arrived or <paramref name="timeout"/> passed.</summary>
    /// <param name="consumer">A subscribed consumer.</param>
    /// <param name="count">Messages to read.</param>
    /// <param name="timeout">Upper bound.</param>
    /// <param name="cancellationToken">Stops early.</param>
    /// <returns>The messages read.</returns>
    public long ConsumeUpTo(IConsumer<byte[], byte[]> consumer, long count, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        long read = 0;
        while (read < count && watch.Elapsed < timeout && !cancellationToken.IsCancellationRequested)
        {
            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
            if (result is null || result.IsPartitionEOF)
            {
                continue;
            }

            Add(result);
            read++;
        }

        return read;
    }
}
