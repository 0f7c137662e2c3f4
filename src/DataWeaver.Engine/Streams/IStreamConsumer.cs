using DataWeaver.Records;

namespace DataWeaver.Streams;

/// <summary>
/// A member of a consumer group reading one stream: it reads the partitions assigned to it, in offset order
/// within each partition, and commits offsets for the group. Create one with
/// <see cref="IStreamFramework.ConsumeStreamAsync"/>; dispose it to leave the group.
/// </summary>
/// <remarks>
/// <para>
/// Reading follows <c>ChannelReader</c>: <see cref="TryConsume"/> is the synchronous fast path,
/// <see cref="WaitToConsumeAsync"/> waits for the next message without polling. A consumer is meant for one
/// reader at a time; <see cref="CommitAsync"/> may be called from another thread.
/// </para>
/// <para>
/// When consumers join or leave the group, partitions move between them. A consumer that gains a partition
/// reads it from the group's committed offset, so what the previous owner read but did not commit is read
/// again (at-least-once). Commits for partitions no longer assigned to this consumer are ignored.
/// </para>
/// </remarks>
public interface IStreamConsumer : IAsyncDisposable
{
    /// <summary>Gets the stream read.</summary>
    string Topic { get; }

    /// <summary>Gets the consumer group this consumer belongs to.</summary>
    string GroupId { get; }

    /// <summary>Gets the partitions currently assigned to this consumer, ascending.</summary>
    IReadOnlyList<int> Assignment { get; }

    /// <summary>Takes the next message if one is ready, without waiting.</summary>
    /// <param name="message">The message, when one was ready.</param>
    /// <returns><see langword="true"/> when a message was taken.</returns>
    bool TryConsume(out StreamMessage message);

    /// <summary>
    /// Waits until a message is ready for <see cref="TryConsume"/>. Completes at once when one is ready.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns><see langword="false"/> once no message will ever come: the consumer was disposed or the framework stopped.</returns>
    ValueTask<bool> WaitToConsumeAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Commits offsets for the group: for each position, the offset of the next message to read in that
    /// partition (a handled message's <see cref="StreamMessage.ResumePosition"/>). A later consumer of the group
    /// resumes there. Positions of partitions not assigned to this consumer are ignored.
    /// </summary>
    /// <param name="positions">Partition and next offset, at most one per partition.</param>
    /// <param name="cancellationToken">Aborts the commit.</param>
    /// <returns>A task that completes once the offsets are committed.</returns>
    /// <exception cref="StreamFrameworkException">
    /// <see cref="StreamErrorCode.UnknownPartition"/>, or <see cref="StreamErrorCode.InvalidOffset"/> for an offset
    /// beyond the partition's end or before the oldest message it still holds.
    /// </exception>
    ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default);

    /// <summary>Gets the group's committed offsets, one per partition of the stream, ascending by partition.</summary>
    /// <param name="cancellationToken">Aborts the call.</param>
    /// <returns>The committed offset (next to read) of every partition.</returns>
    ValueTask<IReadOnlyList<SourcePosition>> GetCommittedOffsetsAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Tells the consumer that every message of a partition before <paramref name="position"/> was acknowledged by
    /// the pipeline. A consumer that loses partitions in a rebalance uses it to wait for the messages it handed out
    /// and to commit exactly what was acknowledged before it lets a partition go
    /// (<see cref="StreamConsumerOptions.RevocationDrainTimeout"/>). Called from pipeline threads; MUST NOT block,
    /// MUST NOT throw. The default does nothing.
    /// </summary>
    /// <param name="position">The partition and its new resume position (the next offset to read).</param>
    void OnAcknowledged(SourcePosition position)
    {
    }
}
