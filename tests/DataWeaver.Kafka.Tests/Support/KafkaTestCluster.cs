using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace DataWeaver.Kafka.Tests.Support;

/// <summary>
/// The Kafka cluster a test runs against: a fresh <see cref="MockKafkaCluster"/> by default, or the real cluster named
/// by the <c>DATAWEAVER_KAFKA_BOOTSTRAP</c> environment variable (its bootstrap.servers). Fault injection needs the
/// mock: tests that use <see cref="Faults"/> are marked <see cref="MockKafkaFactAttribute"/> and skipped on a real cluster.
/// </summary>
public sealed class KafkaTestCluster : IAsyncDisposable
{
    /// <summary>The environment variable that points the tests at a real cluster (bootstrap.servers).</summary>
    public const string BootstrapEnvironmentVariable = "DATAWEAVER_KAFKA_BOOTSTRAP";

    private readonly MockKafkaCluster? mock;
    private readonly List<string> createdTopics = [];

    private KafkaTestCluster(MockKafkaCluster? mock, string bootstrapServers, int brokerCount)
    {
        this.mock = mock;
        BootstrapServers = bootstrapServers;
        BrokerCount = brokerCount;
    }

    /// <summary>The real cluster's bootstrap.servers from the environment, or null when the tests use the mock.</summary>
    public static string? RealBootstrapServers =>
        Environment.GetEnvironmentVariable(BootstrapEnvironmentVariable) is { Length: > 0 } servers ? servers : null;

    /// <summary>True when the cluster is librdkafka's mock (faults available).</summary>
    public bool IsMock => mock is not null;

    /// <summary>bootstrap.servers for clients.</summary>
    public string BootstrapServers { get; }

    /// <summary>How many brokers the cluster has.</summary>
    public int BrokerCount { get; }

    /// <summary>The mock cluster's fault helpers.</summary>
    /// <exception cref="InvalidOperationException">The tests run against a real cluster.</exception>
    public MockKafkaCluster Faults => mock ?? throw new InvalidOperationException(
        $"Fault injection needs librdkafka's mock cluster, but {BootstrapEnvironmentVariable} points the tests at a real cluster; mark the test [MockKafkaFact].");

    /// <summary>Starts a mock cluster with <paramref name="brokers"/> brokers, or connects to the real one.</summary>
    /// <param name="brokers">Mock brokers (ignored for a real cluster).</param>
    /// <returns>The cluster.</returns>
    public static Task<KafkaTestCluster> StartAsync(int brokers = 3)
    {
        if (RealBootstrapServers is { } servers)
        {
            return Task.Run(() =>
            {
                using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = servers }).Build();
                var metadata = admin.GetMetadata(TimeSpan.FromSeconds(10));
                return new KafkaTestCluster(null, servers, metadata.Brokers.Count);
            });
        }

        var cluster = MockKafkaCluster.Start(brokers);
        return Task.FromResult(new KafkaTestCluster(cluster, cluster.BootstrapServers, brokers));
    }

    /// <summary>A topic name unique to this run ("dw-{prefix}-{guid}"), so real clusters can be reused.</summary>
    /// <param name="prefix">Readable part.</param>
    /// <returns>The name.</returns>
    public static string UniqueTopic(string prefix) => $"dw-{prefix}-{Guid.NewGuid():N}";

    /// <summary>A consumer group id unique to this run.</summary>
    /// <param name="prefix">Readable part.</param>
    /// <returns>The id.</returns>
    public static string UniqueGroup(string prefix) => $"dw-{prefix}-{Guid.NewGuid():N}";

    /// <summary>Creates a topic: on the mock directly, on a real cluster through the admin API (deleted on dispose).</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partitions">Partition count.</param>
    /// <param name="replicationFactor">Replicas, capped at the broker count.</param>
    /// <returns>A task that completes once the topic exists.</returns>
    public async Task CreateTopicAsync(string topic, int partitions, int replicationFactor = 1)
    {
        var replicas = Math.Min(replicationFactor, BrokerCount);
        if (mock is not null)
        {
            mock.CreateTopic(topic, partitions, replicas);
            return;
        }

        using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
        await admin.CreateTopicsAsync([new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = (short)replicas }]);
        createdTopics.Add(topic);
    }

    /// <summary>An idempotent producer's configuration for this cluster (acks=all, linger 5 ms).</summary>
    /// <returns>A new configuration the caller may change.</returns>
    public ProducerConfig ProducerConfig() => new()
    {
        BootstrapServers = BootstrapServers,
        EnableIdempotence = true,
        Acks = Acks.All,
        LingerMs = 5,
        BatchNumMessages = 10_000,
    };

    /// <summary>A group consumer's configuration for this cluster (earliest, manual commits, no auto offset store).</summary>
    /// <param name="groupId">The consumer group.</param>
    /// <returns>A new configuration the caller may change.</returns>
    public ConsumerConfig ConsumerConfig(string groupId) => new()
    {
        BootstrapServers = BootstrapServers,
        GroupId = groupId,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        SessionTimeoutMs = 6_000,
        HeartbeatIntervalMs = 500,
    };

    /// <summary>Destroys the mock, or deletes the topics created on a real cluster.</summary>
    /// <returns>A task that completes once done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (mock is not null)
        {
            await mock.DisposeAsync();
            return;
        }

        if (createdTopics.Count > 0)
        {
            using var admin = new AdminClientBuilder(new AdminClientConfig { BootstrapServers = BootstrapServers }).Build();
            try
            {
                await admin.DeleteTopicsAsync(createdTopics);
            }
            catch (DeleteTopicsException)
            {
                // Best effort: the names are unique per run, a leftover topic does not disturb later runs.
            }
        }
    }
}
