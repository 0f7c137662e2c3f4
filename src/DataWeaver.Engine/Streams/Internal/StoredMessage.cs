using DataWeaver.Records;

namespace DataWeaver.Streams.Internal;

/// <summary>A message as a partition log holds it: bytes copied at produce time, never written again.</summary>
internal readonly struct StoredMessage(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, RecordHeader[]? headers, DateTimeOffset timestamp)
{
    public ReadOnlyMemory<byte> Key { get; } = key;

    public ReadOnlyMemory<byte> Value { get; } = value;

    public RecordHeader[]? Headers { get; } = headers;

    public DateTimeOffset Timestamp { get; } = timestamp;
}
