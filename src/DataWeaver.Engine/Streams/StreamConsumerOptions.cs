namespace DataWeaver.Streams;

/// <summary>Where a consumer group that has never committed an offset for a partition starts reading it.</summary>
public enum StreamStartPosition
{
    /// <summary>At the oldest message the partition still holds (Kafka's <c>auto.offset.reset=earliest</c>).</summary>
    Earliest,

    /// <summary>After the last message the partition holds when the group first joins (Kafka's <c>latest</c>).</summary>
    Latest,
}

/// <summary>Options of a consumer: the group it joins and where a new group starts.</summary>
public sealed record StreamConsumerOptions
{
    /// <summary>The group id used when none is given.</summary>
    public const string DefaultGroupId = "dataweaver";

    /// <summary>
    /// Gets the consumer group. Consumers of one group share the stream's partitions, and the group's committed
    /// offsets outlive its consumers: a new consumer of the group resumes where the group committed.
    /// </summary>
    /// <value>The default is <c>dataweaver</c> (<see cref="DefaultGroupId"/>). Must not be empty.</value>
    public string GroupId { get; init; } = DefaultGroupId;

    /// <summary>Gets where the group starts reading a partition it has never committed an offset for.</summary>
    /// <value>The default is <see cref="StreamStartPosition.Earliest"/>.</value>
    public StreamStartPosition StartFrom { get; init; } = StreamStartPosition.Earliest;

    /// <summary>
    /// Gets how long a consumer that loses partitions in a rebalance waits for the records it already handed out
    /// of those partitions to be acknowledged, before it commits what was acknowledged and lets the partitions go.
    /// Within it a graceful rebalance duplicates nothing; past it the new owner re-reads what was not committed
    /// (at least once). Keep it well below the group's rebalance timeout (Kafka's <c>max.poll.interval.ms</c>).
    /// Consumers that cannot lose partitions ignore it.
    /// </summary>
    /// <value>The default is 10 seconds; zero (commit what is acknowledged at once) or positive.</value>
    public TimeSpan RevocationDrainTimeout { get; init; } = TimeSpan.FromSeconds(10);

    internal void Validate()
    {
        if (string.IsNullOrWhiteSpace(GroupId))
        {
            throw new ArgumentException("StreamConsumerOptions.GroupId must not be empty.", nameof(GroupId));
        }

        if (StartFrom is not (StreamStartPosition.Earliest or StreamStartPosition.Latest))
        {
            throw new ArgumentOutOfRangeException(nameof(StartFrom), StartFrom, "StreamConsumerOptions.StartFrom must be Earliest or Latest.");
        }

        if (RevocationDrainTimeout < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(RevocationDrainTimeout), RevocationDrainTimeout, "StreamConsumerOptions.RevocationDrainTimeout must be zero or positive.");
        }
    }
}
