namespace DataWeaver.Streams;

/// <summary>
/// A stream processing framework: partitioned streams of byte
/// messages, producers, and consumer groups that commit offsets. The in-process implementation
/// (<see cref="InProcess.InProcessStreamFramework"/>) is the embedded default; a Kafka implementation fits
/// behind the same interface.
/// </summary>
/// <remarks>
/// <para>Contract, shared by every implementation:</para>
/// <list type="bullet">
/// <item><description>A stream (topic) has a fixed number of partitions. Offsets start at 0 and grow by 1 per message within a partition; order is kept within a partition, never across partitions.</description></item>
/// <item><description>A produce call completes once the message is durably stored (appended to the in-process log; acknowledged by the brokers for Kafka). Produced bytes are copied; the caller may reuse its buffers once the call has returned.</description></item>
/// <item><description>Delivery to consumer groups is at-least-once: a group resumes at its committed offsets, so what was read after the last commit is read again by the next consumer of the group. The committed offset of a partition is the offset of the next message to read (a message's offset + 1).</description></item>
/// <item><description>Call <see cref="StartAsync"/> before any other member; after <see cref="StopAsync"/>, every member throws <see cref="StreamFrameworkException"/> with <see cref="StreamErrorCode.Stopped"/>, and waiting consumers and producers are released.</description></item>
/// <item><description>Every member is thread-safe.</description></item>
/// </list>
/// </remarks>
public interface IStreamFramework : IAsyncDisposable
{
    /// <summary>Gets the framework's name, used in connector names, logs and errors.</summary>
    string Name { get; }

    /// <summary>Starts the framework (connects, for a framework with servers). Calling it twice does nothing.</summary>
    /// <param name="cancellationToken">Aborts the start.</param>
    /// <returns>A task that completes once the framework can be used.</returns>
    /// <exception cref="StreamFrameworkException">The framework was already stopped.</exception>
    ValueTask StartAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Stops the framework: producers and consumers that wait are released (producers throw, consumers see the
    /// end of the stream) and every later call throws. Calling it twice does nothing.
    /// </summary>
    /// <param name="cancellationToken">Aborts a slow stop.</param>
    /// <returns>A task that completes once stopped.</returns>
    ValueTask StopAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Creates a stream. Creating a stream that exists with the same
    /// partition count does nothing.
    /// </summary>
    /// <param name="topic">The stream's name; not empty.</param>
    /// <param name="partitions">How many partitions; from 1 to the implementation's maximum (1,024 in process).</param>
    /// <param name="cancellationToken">Aborts the call.</param>
    /// <returns>A task that completes once the stream exists.</returns>
    /// <exception cref="StreamFrameworkException">
    /// <see cref="StreamErrorCode.InvalidPartitionCount"/>, or <see cref="StreamErrorCode.TopicAlreadyExists"/> when
    /// the stream exists with another partition count.
    /// </exception>
    ValueTask CreateStreamAsync(string topic, int partitions = 1, CancellationToken cancellationToken = default);

    /// <summary>Gets how many partitions a stream has.</summary>
    /// <param name="topic">The stream.</param>
    /// <param name="cancellationToken">Aborts the call.</param>
    /// <returns>The partition count.</returns>
    /// <exception cref="StreamFrameworkException"><see cref="StreamErrorCode.UnknownTopic"/>.</exception>
    ValueTask<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets the low and high watermark of every partition of a stream: the offset of the oldest message the
    /// partition still holds and the offset the next message will get (Kafka's watermark offsets).
    /// </summary>
    /// <param name="topic">The stream.</param>
    /// <param name="cancellationToken">Aborts the call.</param>
    /// <returns>One entry per partition, ascending by partition.</returns>
    /// <exception cref="StreamFrameworkException"><see cref="StreamErrorCode.UnknownTopic"/>.</exception>
    ValueTask<IReadOnlyList<PartitionWatermarks>> GetWatermarksAsync(string topic, CancellationToken cancellationToken = default);

    /// <summary>
    /// Produces one message. The partition is the message's explicit
    /// <see cref="OutgoingMessage.Partition"/>, else the key's (<see cref="StreamPartitioner"/>), else the next
    /// one round-robin. Waits while the partition has no room (backpressure).
    /// </summary>
    /// <param name="topic">The stream.</param>
    /// <param name="message">The message; its bytes are copied.</param>
    /// <param name="cancellationToken">Stops waiting for room; the message is then not produced.</param>
    /// <returns>Where the message was stored.</returns>
    /// <exception cref="StreamFrameworkException">
    /// <see cref="StreamErrorCode.UnknownTopic"/>, <see cref="StreamErrorCode.UnknownPartition"/>,
    /// <see cref="StreamErrorCode.MessageTooLarge"/> (a data error), <see cref="StreamErrorCode.Stopped"/>.
    /// </exception>
    ValueTask<StreamDeliveryResult> ProduceMessageAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken = default);

    /// <summary>
    /// Produces a batch of messages and completes once every one of them is durably stored, in order within each
    /// partition. Every message is validated (partition, size) before the first one is stored, so a bad message
    /// rejects the whole batch; once storing began, a failure (stop, cancellation) may leave a prefix of the
    /// batch stored. This is the throughput path: implementations pipeline the batch instead of waiting message
    /// by message.
    /// </summary>
    /// <param name="topic">The stream.</param>
    /// <param name="messages">The messages; their bytes are copied.</param>
    /// <param name="cancellationToken">Stops waiting for room.</param>
    /// <returns>A task that completes once every message is stored.</returns>
    /// <exception cref="StreamFrameworkException">As for <see cref="ProduceMessageAsync"/>.</exception>
    ValueTask ProduceMessagesAsync(string topic, ReadOnlyMemory<OutgoingMessage> messages, CancellationToken cancellationToken = default);

    /// <summary>
    /// Joins a consumer group on a stream (for a plain message loop see
    /// <see cref="StreamFrameworkExtensions.ConsumeStream"/>). The group's partitions are shared among its
    /// consumers; dispose the consumer to leave the group.
    /// </summary>
    /// <param name="topic">The stream.</param>
    /// <param name="options">The group and where a new group starts; <see langword="null"/> uses the defaults.</param>
    /// <param name="cancellationToken">Aborts the join.</param>
    /// <returns>The consumer, a member of the group.</returns>
    /// <exception cref="StreamFrameworkException"><see cref="StreamErrorCode.UnknownTopic"/>.</exception>
    ValueTask<IStreamConsumer> ConsumeStreamAsync(string topic, StreamConsumerOptions? options = null, CancellationToken cancellationToken = default);
}
