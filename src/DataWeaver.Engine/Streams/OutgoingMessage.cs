using DataWeaver.Records;

namespace DataWeaver.Streams;

/// <summary>
/// A message to produce to a stream. The framework copies the bytes before
/// <see cref="IStreamFramework.ProduceMessageAsync"/> returns or waits, so the caller may reuse its buffers
/// once the call has returned.
/// </summary>
/// <param name="Key">
/// The key bytes; empty for no key. Messages with equal keys go to the same partition (see
/// <see cref="StreamPartitioner"/>), so they stay in order.
/// </param>
/// <param name="Value">The value bytes.</param>
/// <param name="Headers">The headers, or <see langword="null"/> for none.</param>
public readonly record struct OutgoingMessage(ReadOnlyMemory<byte> Key, ReadOnlyMemory<byte> Value, RecordHeaders? Headers = null)
{
    /// <summary>Gets the partition to produce to.</summary>
    /// <value>
    /// The default is <see langword="null"/>: the partition is chosen from the key's hash, or round-robin when
    /// the key is empty. An explicit partition must exist in the stream.
    /// </value>
    public int? Partition { get; init; }

    /// <summary>Gets the message's timestamp.</summary>
    /// <value>The default is <see langword="null"/>: the framework stamps the message with its clock when it is stored.</value>
    public DateTimeOffset? Timestamp { get; init; }
}
