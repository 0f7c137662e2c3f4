using System.Buffers.Binary;
using Confluent.Kafka;
using DataWeaver.Kafka.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Streams;

namespace DataWeaver.Kafka.Tests.Framework;

/// <summary>Commits the classic group refuses because it moved on: neither fatal nor retried, and nothing re-read.</summary>
public sealed class KafkaRefusedCommitTests
{
    private const int Partitions = 2;
    private const int PerPartition = 50;

    /// <remarks>
    /// CI saw three cooperative-sticky members of one group all fail: a commit refused with IllegalGeneration makes
    /// librdkafka drop the assignment and rejoin, the commit was retried as transient, each retry meeting the next
    /// generation change made librdkafka rejoin again, and the group kept rebalancing until every member's 30 s of
    /// commit retries ran out. Now the refused commit returns, and the acknowledged positions are committed when the
    /// partitions come back, before reading resumes.
    /// </remarks>
    [MockKafkaTheory]
    [InlineData(KafkaGroupProtocol.Classic)]
    [InlineData(KafkaGroupProtocol.ClassicCooperativeSticky)]
    public async Task CommitAsync_RefusedWithIllegalGeneration_ReturnsThenCommitsTheAcknowledgedPositionsWhenThePartitionsComeBack(KafkaGroupProtocol protocol)
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var topic = KafkaTestCluster.UniqueTopic("refused");
        await cluster.CreateTopicAsync(topic, Partitions);
        var options = KafkaStreamFrameworkTests.Options(cluster) with { GroupProtocol = protocol };
        await using var framework = await KafkaStreamFrameworkTests.StartAsync(cluster, options);
        await framework.ProduceMessagesAsync(topic, Enumerable.Range(0, Partitions * PerPartition).Select(Message).ToArray());
        await using var consumer = await framework.ConsumeStreamAsync(topic, new StreamConsumerOptions { GroupId = KafkaTestCluster.UniqueGroup("refused") });
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var read = await ReadAsync(consumer, Partitions * PerPartition, timeout.Token);
        Assert.Equal(Partitions * PerPartition, read.Count);
        SourcePosition[] done = [.. Enumerable.Range(0, Partitions).Select(p => new SourcePosition(p, PerPartition))];
        foreach (var position in done)
        {
            consumer.OnAcknowledged(position);
        }

        cluster.Faults.PushRequestErrors(KafkaApiKey.OffsetCommit, ErrorCode.IllegalGeneration);
        await consumer.CommitAsync(done, timeout.Token); // used to throw a transient error, retried by the pipeline

        // librdkafka dropped the assignment and rejoins: once the partitions are back, the acknowledged positions are committed.
        IReadOnlyList<SourcePosition> committed = [];
        while (!timeout.IsCancellationRequested && !committed.SequenceEqual(done))
        {
            await Task.Delay(100, timeout.Token);
            committed = [.. (await consumer.GetCommittedOffsetsAsync(timeout.Token)).OrderBy(p => p.Partition)];
        }

        Assert.Equal(done, committed);

        // Reading resumes after them: nothing acknowledged is read again.
        await framework.ProduceMessagesAsync(topic, Enumerable.Range(Partitions * PerPartition, Partitions).Select(Message).ToArray());
        var next = await ReadAsync(consumer, Partitions, timeout.Token);
        Assert.Equal([(0, (long)PerPartition), (1, (long)PerPartition)], next.Select(m => (m.Partition, m.Offset)).Order());
    }

    private static OutgoingMessage Message(int i)
    {
        var value = new byte[8];
        BinaryPrimitives.WriteInt64BigEndian(value, i);
        return new OutgoingMessage(value, value) { Partition = i % Partitions };
    }

    private static async Task<List<StreamMessage>> ReadAsync(IStreamConsumer consumer, int count, CancellationToken cancellationToken)
    {
        var read = new List<StreamMessage>(count);
        while (read.Count < count && await consumer.WaitToConsumeAsync(cancellationToken))
        {
            while (read.Count < count && consumer.TryConsume(out var message))
            {
                read.Add(message);
            }
        }

        return read;
    }
}
