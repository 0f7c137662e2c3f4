using System.Buffers.Binary;
using System.Diagnostics;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Streams;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>The consumer's buffer between its poll thread and the reader: backpressure without needless pauses.</summary>
public sealed class KafkaConsumerBufferTests
{
    private const int Total = 3_000;
    private const int Partitions = 2;

    [MockKafkaFact]
    public async Task ConsumeStreamAsync_ReaderBrieflyBehindAFullBuffer_WaitsWithoutPausingAndReadsEveryMessageOnceInOrder()
    {
        // A pause makes librdkafka drop what it fetched ahead and fetch it again on resume: W6 stalled ~0.8 s per pause.
        // A reader a few hundred milliseconds behind a full buffer is now waited for; it used to pause at once.
        var (consumer, read) = await ReadAllAsync(pauseEvery: 500, readerPause: TimeSpan.FromMilliseconds(50));

        AssertEveryMessageOnceInOrder(read);
        Assert.Equal(0, consumer.Pauses);
    }

    /// <remarks>
    /// The reader stays behind until the partitions are paused (a guard of 30 s, far above the 1 s the poll thread waits
    /// for room), then reads on. It used to stay behind for 2 s: on a loaded machine the poll thread took over a second
    /// to fill the buffer past its high mark, its 1 s wait for room then outlasted the reader's stall, and nothing was
    /// paused (the behaviour asked for: a reader behind for less than the wait is waited for).
    /// </remarks>
    [MockKafkaFact]
    public async Task ConsumeStreamAsync_ReaderBehindLongerThanTheWait_PausesAndStillReadsEveryMessageOnceInOrder()
    {
        // A reader that stays behind (a slow sink) gets the partitions paused, so the poll thread goes on polling.
        var (consumer, read) = await ReadAllAsync(pauseEvery: 1_000, readerPause: TimeSpan.FromSeconds(30), untilPaused: true);

        AssertEveryMessageOnceInOrder(read);
        Assert.InRange(consumer.Pauses, 2, int.MaxValue); // each of the two stalls paused the partitions, and reading resumed
    }

    /// <remarks>
    /// librdkafka keeps a partition paused across its revocation and a later assignment, so a consumer that paused its
    /// partitions (the reader behind), lost them to a rebalance, drained its buffer of the revoked messages and resumed
    /// while it held no partition could leave the partitions it is given back paused for ever. A suspect for the eager
    /// scale-out test's rare stall (a member holding all 16 partitions and reading nothing); this test shows the
    /// consumer reading them again, so that stall has another cause.
    /// </remarks>
    [MockKafkaFact]
    public async Task ConsumeStreamAsync_PartitionsRevokedWhilePausedThenReassigned_ReadsThemAgain()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("buffer-rebalance");
        await cluster.CreateTopicAsync(topic, Partitions);
        var options = KafkaStreamFrameworkTests.Options(cluster) with { ConsumerBufferMessages = 100 };
        await using var framework = await KafkaStreamFrameworkTests.StartAsync(cluster, options);
        await framework.ProduceMessagesAsync(topic, Enumerable.Range(0, Total).Select(Message).ToArray());
        var group = new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("buffer-rebalance") };
        var consumer = (KafkaStreamConsumer)await framework.ConsumeStreamAsync(topic, group);
        await using var _ = consumer;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));

        // Read a little, then stay behind until the full buffer pauses both partitions.
        var seen = new HashSet<(int Partition, long Offset)>();
        while (seen.Count < 200 && await consumer.WaitToConsumeAsync(timeout.Token))
        {
            while (seen.Count < 200 && consumer.TryConsume(out var message))
            {
                seen.Add((message.Partition, message.Offset));
            }
        }

        await StallAsync(consumer, TimeSpan.FromSeconds(30), untilPaused: true, timeout.Token);
        Assert.InRange(consumer.Pauses, 1, int.MaxValue);

        // A second member joins (both partitions revoked from the first) and, once it holds a partition, leaves: the
        // first gets both back. Nothing is acknowledged, so it reads them again from the start. The first may well have
        // read everything before the join completes (the mock makes a join wait), so the loop waits for the second
        // member to come and go and for the whole topic to be read again after that, not only for every offset once.
        var second = (KafkaStreamConsumer)await framework.ConsumeStreamAsync(topic, group);
        var secondLeft = false;
        var readAgain = new HashSet<(int Partition, long Offset)>();
        while ((!secondLeft || readAgain.Count < Total) && !timeout.IsCancellationRequested)
        {
            if (!secondLeft && second.Assignment.Count > 0)
            {
                await second.DisposeAsync();
                secondLeft = true;
            }

            while (consumer.TryConsume(out var message))
            {
                seen.Add((message.Partition, message.Offset));
                if (secondLeft)
                {
                    readAgain.Add((message.Partition, message.Offset));
                }
            }

            await Task.Delay(10, CancellationToken.None);
        }

        if (!secondLeft)
        {
            await second.DisposeAsync();
        }

        Assert.True(secondLeft, "the second member never got a partition");
        Assert.Equal(Total, seen.Count);
        Assert.Equal(Total, readAgain.Count);
    }

    private static OutgoingMessage Message(int i)
    {
        var value = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, i);
        return new OutgoingMessage(value, value) { Partition = i % Partitions };
    }

    private static async Task<(KafkaStreamConsumer Consumer, List<StreamMessage> Read)> ReadAllAsync(int pauseEvery, TimeSpan readerPause, bool untilPaused = false)
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("buffer");
        await cluster.CreateTopicAsync(topic, Partitions);
        var options = KafkaStreamFrameworkTests.Options(cluster) with { ConsumerBufferMessages = 100 };
        await using var framework = await KafkaStreamFrameworkTests.StartAsync(cluster, options);
        await framework.ProduceMessagesAsync(topic, Enumerable.Range(0, Total).Select(Message).ToArray());
        var consumer = (KafkaStreamConsumer)await framework.ConsumeStreamAsync(topic, new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("buffer") });
        await using var _ = consumer;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var read = new List<StreamMessage>(Total);
        while (read.Count < Total && await consumer.WaitToConsumeAsync(timeout.Token))
        {
            while (read.Count < Total && consumer.TryConsume(out var message))
            {
                read.Add(message);
                if (read.Count % pauseEvery == 0 && read.Count < Total)
                {
                    await StallAsync(consumer, readerPause, untilPaused, timeout.Token);
                }
            }
        }

        return (consumer, read);
    }

    /// <summary>The reader stays behind for <paramref name="pause"/>, or (<paramref name="untilPaused"/>) until the partitions are paused once more, at most that long.</summary>
    private static async Task StallAsync(KafkaStreamConsumer consumer, TimeSpan pause, bool untilPaused, CancellationToken cancellationToken)
    {
        if (!untilPaused)
        {
            await Task.Delay(pause, cancellationToken);
            return;
        }

        var pauses = consumer.Pauses;
        var guard = Stopwatch.StartNew();
        while (consumer.Pauses == pauses && guard.Elapsed < pause)
        {
            await Task.Delay(20, cancellationToken);
        }
    }

    private static void AssertEveryMessageOnceInOrder(List<StreamMessage> read)
    {
        Assert.Equal(Total, read.Count);
        for (var partition = 0; partition < Partitions; partition++)
        {
            var offsets = read.Where(m => m.Partition == partition).Select(m => m.Offset).ToList();
            Assert.Equal(Enumerable.Range(0, Total / Partitions).Select(o => (long)o), offsets);
        }

        Assert.Equal(Enumerable.Range(0, Total).Select(i => (long)i), read.Select(m => BinaryPrimitives.ReadInt64BigEndian(m.Value.Span)).Order());
    }
}
