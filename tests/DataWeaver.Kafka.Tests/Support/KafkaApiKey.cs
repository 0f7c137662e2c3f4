namespace DataWeaver.Kafka.Tests.Support;

/// <summary>Kafka protocol request types (ApiKey) that the mock cluster serves and can fail on purpose.</summary>
public enum KafkaApiKey : short
{
    Produce = 0,
    Fetch = 1,
    ListOffsets = 2,
    Metadata = 3,
    OffsetCommit = 8,
    OffsetFetch = 9,
    FindCoordinator = 10,
    JoinGroup = 11,
    Heartbeat = 12,
    LeaveGroup = 13,
    SyncGroup = 14,
    ApiVersions = 18,
    InitProducerId = 22,
    AddPartitionsToTxn = 24,
    AddOffsetsToTxn = 25,
    EndTxn = 26,
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
