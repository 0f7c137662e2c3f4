using System.Globalization;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using DataWeaver.Kafka.Testing.Internal;

namespace DataWeaver.Kafka.Testing;

/// <summary>
/// librdkafka's mock Kafka cluster (librdkafka 2.16, the same file Confluent.Kafka runs on), started in this process through P/Invoke: brokers 1..N that speak
/// the Kafka protocol over TCP on 127.0.0.1, pre-created topics, and faults (brokers down and up, leader moves,
/// round-trip delays, injected request errors, coordinator moves).
/// </summary>
/// <remarks>
/// Limits (docs/kafka.md): CreateTopics and other unsupported requests drop the connection, so create topics here;
/// each partition keeps at most 5 MiB / 100,000 message sets (older ones are evicted); transactions are only partly
/// modelled (markers are written, but read_committed readers still get aborted and open records, and TxnOffsetCommit
/// offsets are discarded); a classic group's join waits session.timeout.ms - 1 s and commits are refused meanwhile
/// (KIP-848 groups join in seconds); no TLS or SASL. Producer
/// sequence numbers are checked (and resent batches deduplicated) only for transactional producers: a plain idempotent
/// producer's resend of a batch the mock already stored is stored twice (see
/// ProduceConsumeTests.Produce_IdempotentResendAfterLostResponses_MockStoresResentBatchesTwice).
/// Every member is thread-safe (librdkafka serialises the calls on the cluster's own thread).
/// </remarks>
public sealed class MockKafkaCluster : IAsyncDisposable
{
    private readonly KafkaHandle host;
    private readonly MockClusterHandle cluster;

    private MockKafkaCluster(KafkaHandle host, MockClusterHandle cluster, int brokerCount)
    {
        this.host = host;
        this.cluster = cluster;
        BrokerCount = brokerCount;
        var bootstraps = LibRdKafkaMock.rd_kafka_mock_cluster_bootstraps(cluster);
        BootstrapServers = Marshal.PtrToStringUTF8(bootstraps)
            ?? throw new InvalidOperationException("rd_kafka_mock_cluster_bootstraps returned NULL.");
    }

    /// <summary>The bootstrap.servers string of the cluster ("127.0.0.1:port,...", one entry per broker).</summary>
    public string BootstrapServers { get; }

    /// <summary>How many brokers the cluster has; their ids are 1 to <see cref="BrokerCount"/>.</summary>
    public int BrokerCount { get; }

    /// <summary>Starts a mock cluster.</summary>
    /// <param name="brokers">Number of brokers, 1 to 64 (ids 1..brokers).</param>
    /// <returns>The running cluster; dispose it after the clients that use it.</returns>
    public static MockKafkaCluster Start(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(brokers, 64);

        var host = CreateHostClient();
        var cluster = LibRdKafkaMock.rd_kafka_mock_cluster_new(host, brokers);
        if (cluster.IsInvalid)
        {
            cluster.Dispose();
            host.Dispose();
            throw new InvalidOperationException($"rd_kafka_mock_cluster_new failed for {brokers} brokers.");
        }

        cluster.HoldHost(host);
        return new MockKafkaCluster(host, cluster, brokers);
    }

    /// <summary>Creates a topic (rd_kafka_mock_topic_create); leaders are spread over the brokers.</summary>
    /// <param name="topic">Topic name.</param>
    /// <param name="partitions">Partition count, at least 1.</param>
    /// <param name="replicationFactor">Replicas per partition, 1 to <see cref="BrokerCount"/>.</param>
    public void CreateTopic(string topic, int partitions, int replicationFactor = 1)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(replicationFactor, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(replicationFactor, BrokerCount);
        Check(LibRdKafkaMock.rd_kafka_mock_topic_create(cluster, topic, partitions, replicationFactor), $"create topic {topic}");
    }

    /// <summary>
    /// Takes a broker down: its connections are closed and new ones refused. Leaders do not move by themselves: move
    /// them with <see cref="SetPartitionLeader"/>.
    /// </summary>
    /// <param name="brokerId">Broker id, 1 to <see cref="BrokerCount"/>.</param>
    public void SetBrokerDown(int brokerId) =>
        Check(LibRdKafkaMock.rd_kafka_mock_broker_set_down(cluster, brokerId), $"set broker {brokerId} down");

    /// <summary>Brings a broker back up (it accepts connections again).</summary>
    /// <param name="brokerId">Broker id, 1 to <see cref="BrokerCount"/>.</param>
    public void SetBrokerUp(int brokerId) =>
        Check(LibRdKafkaMock.rd_kafka_mock_broker_set_up(cluster, brokerId), $"set broker {brokerId} up");

    /// <summary>Moves a partition's leadership to a broker (the partition's log stays as it is).</summary>
    /// <param name="topic">Topic name (created if it does not exist).</param>
    /// <param name="partition">Partition.</param>
    /// <param name="brokerId">New leader, or -1 for no leader.</param>
    public void SetPartitionLeader(string topic, int partition, int brokerId) =>
        Check(
            LibRdKafkaMock.rd_kafka_mock_partition_set_leader(cluster, topic, partition, brokerId),
            $"move the leader of {topic}[{partition}] to broker {brokerId}");

    /// <summary>Delays every response of a broker by <paramref name="rtt"/> (zero removes the delay).</summary>
    /// <param name="brokerId">Broker id, 1 to <see cref="BrokerCount"/>.</param>
    /// <param name="rtt">Round-trip delay, whole milliseconds.</param>
    public void SetBrokerRtt(int brokerId, TimeSpan rtt)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(rtt, TimeSpan.Zero);
        Check(
            LibRdKafkaMock.rd_kafka_mock_broker_set_rtt(cluster, brokerId, checked((int)rtt.TotalMilliseconds)),
            $"set the RTT of broker {brokerId}");
    }

    /// <summary>
    /// Makes the next <paramref name="errors"/>.Length requests of type <paramref name="apiKey"/> (on any broker) fail,
    /// one error each, in order. The mock answers them without acting on them (a failed Produce appends nothing).
    /// <see cref="ErrorCode.Local_Transport"/> makes the broker drop the connection instead.
    /// </summary>
    /// <param name="apiKey">The request type.</param>
    /// <param name="errors">The errors, first one first.</param>
    public unsafe void PushRequestErrors(KafkaApiKey apiKey, params ReadOnlySpan<ErrorCode> errors)
    {
        if (errors.IsEmpty)
        {
            return;
        }

        var codes = new int[errors.Length];
        for (var i = 0; i < errors.Length; i++)
        {
            codes[i] = (int)errors[i];
        }

        fixed (int* first = codes)
        {
            LibRdKafkaMock.rd_kafka_mock_push_request_errors_array(cluster, (short)apiKey, (nuint)codes.Length, first);
        }
    }

    /// <summary>Drops the errors still queued for a request type by <see cref="PushRequestErrors"/>.</summary>
    /// <param name="apiKey">The request type.</param>
    public void ClearRequestErrors(KafkaApiKey apiKey) =>
        LibRdKafkaMock.rd_kafka_mock_clear_request_errors(cluster, (short)apiKey);

    /// <summary>Makes a broker the coordinator of a group or transactional id (instead of the hash-based choice).</summary>
    /// <param name="type">Group or transaction coordinator.</param>
    /// <param name="key">The group.id or transactional.id.</param>
    /// <param name="brokerId">The coordinator (need not be a valid broker, to make it unreachable).</param>
    public void SetCoordinator(KafkaCoordinatorType type, string key, int brokerId)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var keyType = type == KafkaCoordinatorType.Group ? "group" : "transaction";
        Check(LibRdKafkaMock.rd_kafka_mock_coordinator_set(cluster, keyType, key, brokerId), $"set the {keyType} coordinator of {key}");
    }

    /// <summary>
    /// Removes a broker from the cluster for good (rd_kafka_mock_broker_decommission): its connections are closed and the
    /// partitions it led or replicated are reassigned to the other brokers.
    /// </summary>
    /// <param name="brokerId">An existing broker id.</param>
    public void DecommissionBroker(int brokerId) =>
        Check(LibRdKafkaMock.rd_kafka_mock_broker_decommission(cluster, brokerId), $"decommission broker {brokerId}");

    /// <summary>Adds a broker to the cluster (rd_kafka_mock_broker_add); partitions are spread over it too.</summary>
    /// <param name="brokerId">A broker id not in use.</param>
    public void AddBroker(int brokerId) =>
        Check(LibRdKafkaMock.rd_kafka_mock_broker_add(cluster, brokerId), $"add broker {brokerId}");

    /// <summary>
    /// Sets the brokers' <c>group.consumer.session.timeout.ms</c> and <c>group.consumer.heartbeat.interval.ms</c>: the
    /// session of KIP-848 consumer groups (<c>group.protocol=consumer</c>), after which a silent member's partitions are
    /// reassigned. Classic groups keep using the client's <c>session.timeout.ms</c>.
    /// </summary>
    /// <param name="sessionTimeout">The session timeout, whole milliseconds, positive.</param>
    /// <param name="heartbeatInterval">The heartbeat interval, whole milliseconds, positive and below the session timeout.</param>
    public void SetConsumerGroupSession(TimeSpan sessionTimeout, TimeSpan heartbeatInterval)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(heartbeatInterval, TimeSpan.Zero);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(sessionTimeout, heartbeatInterval);
        LibRdKafkaMock.rd_kafka_mock_set_group_consumer_session_timeout_ms(cluster, checked((int)sessionTimeout.TotalMilliseconds));
        LibRdKafkaMock.rd_kafka_mock_set_group_consumer_heartbeat_interval_ms(cluster, checked((int)heartbeatInterval.TotalMilliseconds));
    }

    /// <summary>
    /// Sets how long a classic group's coordinator waits for more members before its first rebalance
    /// (rd_kafka_mock_group_initial_rebalance_delay_ms; the mock's default is 3 s, a broker's group.initial.rebalance.delay.ms).
    /// </summary>
    /// <param name="delay">The delay, whole milliseconds, zero or more.</param>
    public void SetGroupInitialRebalanceDelay(TimeSpan delay)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(delay, TimeSpan.Zero);
        LibRdKafkaMock.rd_kafka_mock_group_initial_rebalance_delay_ms(cluster, checked((int)delay.TotalMilliseconds));
    }

    /// <summary>Starts recording every request the brokers receive (see <see cref="GetRequests"/>).</summary>
    public void StartRequestTracking() => LibRdKafkaMock.rd_kafka_mock_start_request_tracking(cluster);

    /// <summary>Stops recording requests; those recorded so far are kept.</summary>
    public void StopRequestTracking() => LibRdKafkaMock.rd_kafka_mock_stop_request_tracking(cluster);

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests() => LibRdKafkaMock.rd_kafka_mock_clear_requests(cluster);

    /// <summary>The requests recorded since <see cref="StartRequestTracking"/> (or the last <see cref="ClearRequests"/>), oldest first.</summary>
    /// <returns>One entry per request: the broker that received it, its type and when.</returns>
    public unsafe IReadOnlyList<MockKafkaRequest> GetRequests()
    {
        nuint count = 0;
        var requests = LibRdKafkaMock.rd_kafka_mock_get_requests(cluster, &count);
        if (requests is null)
        {
            return [];
        }

        try
        {
            var result = new MockKafkaRequest[checked((int)count)];
            for (var i = 0; i < result.Length; i++)
            {
                result[i] = new MockKafkaRequest(
                    LibRdKafkaMock.rd_kafka_mock_request_id(requests[i]),
                    (KafkaApiKey)LibRdKafkaMock.rd_kafka_mock_request_api_key(requests[i]),
                    DateTimeOffset.UnixEpoch.AddTicks(LibRdKafkaMock.rd_kafka_mock_request_timestamp(requests[i]) * 10));
            }

            return result;
        }
        finally
        {
            LibRdKafkaMock.rd_kafka_mock_request_destroy_array(requests, count);
        }
    }

    /// <summary>Destroys the cluster (closing every client connection), then its host client.</summary>
    /// <returns>A completed task.</returns>
    public ValueTask DisposeAsync()
    {
        cluster.Dispose();
        host.Dispose();
        return ValueTask.CompletedTask;
    }

    private static unsafe KafkaHandle CreateHostClient()
    {
        // The mock cluster needs a client instance for its bookkeeping; it is otherwise unused. log_level 3: errors only.
        var errors = stackalloc byte[512];
        var conf = LibRdKafkaMock.rd_kafka_conf_new();
        if (LibRdKafkaMock.rd_kafka_conf_set(conf, "log_level", "3", errors, 512) != LibRdKafkaMock.ConfOk)
        {
            LibRdKafkaMock.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException("rd_kafka_conf_set(log_level) failed: " + LibRdKafkaMock.ErrorBufferText(new ReadOnlySpan<byte>(errors, 512)));
        }

        var host = LibRdKafkaMock.rd_kafka_new(LibRdKafkaMock.ProducerType, conf, errors, 512);
        if (host.IsInvalid)
        {
            // rd_kafka_new takes ownership of conf only when it succeeds.
            LibRdKafkaMock.rd_kafka_conf_destroy(conf);
            host.Dispose();
            throw new InvalidOperationException("rd_kafka_new failed: " + LibRdKafkaMock.ErrorBufferText(new ReadOnlySpan<byte>(errors, 512)));
        }

        return host;
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException(
                string.Create(CultureInfo.InvariantCulture, $"Mock cluster: could not {what}: {LibRdKafkaMock.ErrorText(error)} ({error})."));
        }
    }
}
