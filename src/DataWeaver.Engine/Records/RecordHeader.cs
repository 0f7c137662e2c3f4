namespace DataWeaver.Records;

/// <summary>One header of a record: a name and a byte value, as in Kafka.</summary>
/// <param name="Name">The header name.</param>
/// <param name="Value">The header value.</param>
public readonly record struct RecordHeader(string Name, ReadOnlyMemory<byte> Value);
