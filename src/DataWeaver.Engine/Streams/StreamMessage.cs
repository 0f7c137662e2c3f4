using DataWeaver.Records;

namespace DataWeaver.Streams;

/// <summary>
/// A message read from a stream: where it sits (topic, partition, offset), when it was produced, and its key,
/// value and headers as bytes.
/// </summary>
/// <remarks>
/// The key and value bytes are immutable and stay valid for as long as the message is referenced: the
/// in-process framework copies what is produced and never writes to it again.
/// </remarks>
/// <param name="Topic">The stream the message was read from.</param>
/// <param name="Partition">The partition the message was read from.</param>
/// <param name="Offset">The message's offset in its partition; the first message of a partition has offset 0.</param>
/// <param name="Key">The key bytes; empty when the message has no key.</param>
/// <param name="Value">The value bytes.</param>
/// <param name="Headers">The headers, or <see langword="null"/> when there are none. Each read gets its own list.</param>
/// <param name="Timestamp">When the message was produced (from the producer's message or the framework's clock).</param>
public readonly record struct StreamMessage(
    string Topic,
    int Partition,
    long Offset,
    ReadOnlyMemory<byte> Key,
    ReadOnlyMemory<byte> Value,
    RecordHeaders? Headers,
    DateTimeOffset Timestamp)
{
    /// <summary>
    /// Gets the offset from which the partition resumes once this message is handled (<see cref="Offset"/> + 1):
    /// the offset to commit.
    /// </summary>
    public SourcePosition ResumePosition => new(Partition, Offset + 1);

    /// <summary>Converts the message to a pipeline record whose <see cref="Record{TValue}.Position"/> is (partition, offset).</summary>
    /// <returns>The record.</returns>
    public Record<ReadOnlyMemory<byte>> ToRecord() => new(Key, Value, Headers, Timestamp, new SourcePosition(Partition, Offset));
}
