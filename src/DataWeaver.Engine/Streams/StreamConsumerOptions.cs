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
    }
}
