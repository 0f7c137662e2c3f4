namespace DataWeaver.Serialization.Protobuf.Framing;

/// <summary>The Confluent header read in front of a protobuf message.</summary>
/// <param name="SchemaId">The registry id of the writer schema.</param>
/// <param name="MessageIndexes">The path of the message type in its <c>.proto</c> file, e.g. <c>[0]</c> for its first message.</param>
/// <param name="Length">The size of the header in bytes: the message starts at this offset.</param>
public readonly record struct ConfluentProtobufHeader(int SchemaId, IReadOnlyList<int> MessageIndexes, int Length);
