namespace DataWeaver.Kafka;

/// <summary>
/// How the members of a consumer group share a topic's partitions (<see cref="KafkaStreamOptions.GroupProtocol"/>).
/// Whatever the protocol, a partition a member gives up is drained and its acknowledged position committed before it
/// goes; the protocols differ in which partitions are given up on a rebalance and in what the brokers must support.
/// </summary>
public enum KafkaGroupProtocol
{
    /// <summary>
    /// The classic protocol with librdkafka's default eager assignors (<c>group.protocol=classic</c>,
    /// <c>partition.assignment.strategy=range,roundrobin</c>): on every rebalance every member gives up all of its
    /// partitions and gets a new set. Works with every Kafka broker.
    /// </summary>
    Classic,

    /// <summary>
    /// The classic protocol with incremental cooperative rebalancing (<c>group.protocol=classic</c>,
    /// <c>partition.assignment.strategy=cooperative-sticky</c>): only the partitions that move are given up; the others keep
    /// being read through the rebalance. Every member of the group must use it. Works with every Kafka broker (2.4 or later).
    /// </summary>
    ClassicCooperativeSticky,

    /// <summary>
    /// The consumer group protocol of KIP-848 (<c>group.protocol=consumer</c>): the brokers assign partitions and move
    /// them one member at a time, incrementally; a member joining or leaving does not stop the others. Needs Kafka 4.0 or
    /// later on the brokers. <c>session.timeout.ms</c>, <c>heartbeat.interval.ms</c> and
    /// <c>partition.assignment.strategy</c> are then broker settings and must not be given to the client
    /// (<c>group.remote.assignor</c> picks the brokers' assignor).
    /// </summary>
    Consumer,
}
