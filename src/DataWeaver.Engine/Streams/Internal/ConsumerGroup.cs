namespace DataWeaver.Streams.Internal;

/// <summary>A consumer group on one topic: committed offsets per partition and the members, in join order. Guarded by the topic's lock.</summary>
internal sealed class ConsumerGroup(string id, long[] committed)
{
    public string Id { get; } = id;

    /// <summary>Gets the committed offset (next to read) per partition; outlives the members.</summary>
    public long[] Committed { get; } = committed;

    public List<InProcessConsumer> Members { get; } = [];
}
