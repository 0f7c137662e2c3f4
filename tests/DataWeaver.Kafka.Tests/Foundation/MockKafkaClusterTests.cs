using System.Diagnostics;
using Confluent.Kafka;
using DataWeaver.Kafka.Tests.Support;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Foundation;

public sealed class MockKafkaClusterTests(ITestOutputHelper output)
{
    [MockKafkaFact]
    public async Task Start_ThreeBrokersAndATopic_MetadataShowsBrokersPartitionsAndReplicas()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 3);
        cluster.CreateTopic("orders", partitions: 8, replicationFactor: 3);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var metadata = admin.GetMetadata("orders", TimeSpan.FromSeconds(10));

        Assert.Equal(3, cluster.BootstrapServers.Split(',').Length);
        Assert.Equal([1, 2, 3], metadata.Brokers.Select(broker => broker.BrokerId).Order());
        var topic = Assert.Single(metadata.Topics);
        Assert.Equal(8, topic.Partitions.Count);
        Assert.All(topic.Partitions, partition => Assert.Equal(3, partition.Replicas.Length));
    }

    [MockKafkaFact]
    public async Task SetPartitionLeader_MovedToBroker2_MetadataShowsNewLeader()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 3);
        cluster.CreateTopic("moves", partitions: 2, replicationFactor: 3);

        cluster.SetPartitionLeader("moves", 0, 2);
        cluster.SetPartitionLeader("moves", 1, 2);

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var topic = Assert.Single(admin.GetMetadata("moves", TimeSpan.FromSeconds(10)).Topics);
        Assert.All(topic.Partitions, partition => Assert.Equal(2, partition.Leader));
    }

    [MockKafkaFact]
    public async Task SetBrokerDown_UnknownBroker_ThrowsNamingTheBroker()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 1);

        var exception = Assert.Throws<InvalidOperationException>(() => cluster.SetBrokerDown(7));

        Assert.Contains("broker 7", exception.Message, StringComparison.Ordinal);
    }

    [MockKafkaFact]
    public async Task SetBrokerRtt_500Milliseconds_DelaysEveryResponse()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.CreateTopic("slow", partitions: 1);
        using var producer = KafkaClients.Producer(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 0 }, output);
        await producer.ProduceAsync("slow", new Message<byte[], byte[]> { Key = [], Value = [1] });

        cluster.SetBrokerRtt(1, TimeSpan.FromMilliseconds(500));
        var slow = Stopwatch.StartNew();
        await producer.ProduceAsync("slow", new Message<byte[], byte[]> { Key = [], Value = [2] });
        slow.Stop();
        cluster.SetBrokerRtt(1, TimeSpan.Zero);

        // A delayed broker answers no produce in under its RTT; once reset, one of a few produces must (the first one
        // after the reset may still meet a delayed response on a loaded machine, so no single timing is asserted).
        var fastest = TimeSpan.MaxValue;
        for (var attempt = 0; attempt < 10 && fastest >= TimeSpan.FromMilliseconds(450); attempt++)
        {
            var fast = Stopwatch.StartNew();
            await producer.ProduceAsync("slow", new Message<byte[], byte[]> { Key = [], Value = [3] });
            fastest = fast.Elapsed < fastest ? fast.Elapsed : fastest;
        }

        Assert.True(slow.Elapsed >= TimeSpan.FromMilliseconds(450), $"with a 500 ms RTT a produce took only {slow.Elapsed}");
        Assert.True(fastest < TimeSpan.FromMilliseconds(450), $"after the RTT was reset no produce of 10 took under 450 ms (fastest {fastest})");
    }

    [MockKafkaFact]
    public async Task SetCoordinator_GroupCoordinatorDown_ConsumerJoinsOnlyAfterItComesBack()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 3);
        cluster.CreateTopic("coordinated", partitions: 2);
        using (var producer = KafkaClients.Producer(new ProducerConfig { BootstrapServers = cluster.BootstrapServers }, output))
        {
            await producer.ProduceAsync("coordinated", new Message<byte[], byte[]> { Key = [], Value = [1] });
        }

        // Partition leaders stay on brokers 1 and 2 (2 partitions), so only the coordinator lives on broker 3.
        cluster.SetPartitionLeader("coordinated", 0, 1);
        cluster.SetPartitionLeader("coordinated", 1, 2);
        cluster.SetCoordinator(KafkaCoordinatorType.Group, "g-coordinated", 3);
        cluster.SetBrokerDown(3);
        using var consumer = KafkaClients.Consumer(new ConsumerConfig
        {
            BootstrapServers = cluster.BootstrapServers,
            GroupId = "g-coordinated",
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }, output);
        consumer.Subscribe("coordinated");

        Assert.Null(consumer.Consume(TimeSpan.FromSeconds(2)));
        Assert.Empty(consumer.Assignment);

        cluster.SetBrokerUp(3);
        var result = consumer.Consume(TimeSpan.FromSeconds(15));
        Assert.NotNull(result);
        Assert.Equal([1], result.Message.Value);
        consumer.Close();
    }

    [MockKafkaFact]
    public async Task PushRequestErrors_ProducerThatNeverRetries_GetsEachInjectedErrorInOrderThenSucceeds()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 1);
        cluster.CreateTopic("errors", partitions: 1);
        using var producer = KafkaClients.Producer(
            new ProducerConfig { BootstrapServers = cluster.BootstrapServers, MessageSendMaxRetries = 0, LingerMs = 0 }, output);
        await producer.ProduceAsync("errors", new Message<byte[], byte[]> { Key = [], Value = [0] });

        cluster.PushRequestErrors(KafkaApiKey.Produce, ErrorCode.NotEnoughReplicas, ErrorCode.RequestTimedOut);

        var first = await Assert.ThrowsAsync<ProduceException<byte[], byte[]>>(
            () => producer.ProduceAsync("errors", new Message<byte[], byte[]> { Key = [], Value = [1] }));
        var second = await Assert.ThrowsAsync<ProduceException<byte[], byte[]>>(
            () => producer.ProduceAsync("errors", new Message<byte[], byte[]> { Key = [], Value = [2] }));
        var third = await producer.ProduceAsync("errors", new Message<byte[], byte[]> { Key = [], Value = [3] });
        Assert.Equal(ErrorCode.NotEnoughReplicas, first.Error.Code);
        Assert.Equal(ErrorCode.RequestTimedOut, second.Error.Code);
        Assert.Equal(PersistenceStatus.Persisted, third.Status);
        Assert.Equal(1, third.Offset.Value);
    }

    [MockKafkaFact]
    public async Task DecommissionBroker_LeaderRemovedWithRequestTracking_ProduceGoesToTheNewLeaderAndKeepsEveryRecord()
    {
        await using var cluster = MockKafkaCluster.Start(brokers: 3);
        cluster.CreateTopic("decommission", partitions: 1, replicationFactor: 3);
        cluster.SetPartitionLeader("decommission", 0, 2);
        using var producer = KafkaClients.Producer(new ProducerConfig { BootstrapServers = cluster.BootstrapServers, LingerMs = 0 }, output);
        cluster.StartRequestTracking();
        await producer.ProduceAsync("decommission", new Message<byte[], byte[]> { Key = [], Value = [0] });
        var before = cluster.GetRequests().Where(r => r.ApiKey == KafkaApiKey.Produce).ToList();

        cluster.ClearRequests();
        cluster.DecommissionBroker(2);
        var after = await producer.ProduceAsync("decommission", new Message<byte[], byte[]> { Key = [], Value = [1] });
        var produces = cluster.GetRequests().Where(r => r.ApiKey == KafkaApiKey.Produce).ToList();
        cluster.StopRequestTracking();

        Assert.Equal(2, Assert.Single(before).BrokerId);
        Assert.NotEmpty(produces);
        Assert.DoesNotContain(produces, r => r.BrokerId == 2);
        Assert.Equal(1, after.Offset.Value);
        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = cluster.BootstrapServers }).Build();
        var metadata = admin.GetMetadata("decommission", TimeSpan.FromSeconds(10));
        Assert.DoesNotContain(2, metadata.Brokers.Select(b => b.BrokerId));
        Assert.NotEqual(2, Assert.Single(Assert.Single(metadata.Topics).Partitions).Leader);
    }
}
