namespace DataWeaver.Kafka.Testing;

/// <summary>Kafka protocol request types (ApiKey) that the mock cluster serves and can fail on purpose.</summary>
public enum KafkaApiKey : short
{
    /// <summary>The Produce request (API key 0).</summary>
    Produce = 0,
    /// <summary>The Fetch request (API key 1).</summary>
    Fetch = 1,
    /// <summary>The ListOffsets request (API key 2).</summary>
    ListOffsets = 2,
    /// <summary>The Metadata request (API key 3).</summary>
    Metadata = 3,
    /// <summary>The OffsetCommit request (API key 8).</summary>
    OffsetCommit = 8,
    /// <summary>The OffsetFetch request (API key 9).</summary>
    OffsetFetch = 9,
    /// <summary>The FindCoordinator request (API key 10).</summary>
    FindCoordinator = 10,
    /// <summary>The JoinGroup request (API key 11).</summary>
    JoinGroup = 11,
    /// <summary>The Heartbeat request (API key 12).</summary>
    Heartbeat = 12,
    /// <summary>The LeaveGroup request (API key 13).</summary>
    LeaveGroup = 13,
    /// <summary>The SyncGroup request (API key 14).</summary>
    SyncGroup = 14,
    /// <summary>The ApiVersions request (API key 18).</summary>
    ApiVersions = 18,
    /// <summary>The InitProducerId request (API key 22).</summary>
    InitProducerId = 22,
    /// <summary>The AddPartitionsToTxn request (API key 24).</summary>
    AddPartitionsToTxn = 24,
    /// <summary>The AddOffsetsToTxn request (API key 25).</summary>
    AddOffsetsToTxn = 25,
    /// <summary>The EndTxn request (API key 26).</summary>
    EndTxn = 26,
    /// <summary>The TxnOffsetCommit request (API key 28).</summary>
    TxnOffsetCommit = 28,
}

/// <summary>What a coordinator coordinates (<c>rd_kafka_mock_coordinator_set</c>'s key_type).</summary>
public enum KafkaCoordinatorType
{
    /// <summary>A consumer group's coordinator; the key is the group.id.</summary>
    Group,

    /// <summary>A transactional producer's coordinator; the key is the transactional.id.</summary>
    Transaction,
}

/// <summary>A request a mock broker received (<see cref="MockKafkaCluster.GetRequests"/>).</summary>
/// <param name="BrokerId">The broker that received it.</param>
/// <param name="ApiKey">Its type (a value outside <see cref="KafkaApiKey"/>'s names for other request types).</param>
/// <param name="Received">When it was received (librdkafka's clock, microsecond precision).</param>
public readonly record struct MockKafkaRequest(int BrokerId, KafkaApiKey ApiKey, DateTimeOffset Received);
