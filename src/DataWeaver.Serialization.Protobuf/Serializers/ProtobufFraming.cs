namespace DataWeaver.Serialization.Protobuf.Serializers;

/// <summary>How each record is framed around the protobuf message.</summary>
public enum ProtobufFraming
{
    /// <summary>The bare message: a record holds exactly one message.</summary>
    None = 0,

    /// <summary>A varint length prefix, then the message, as <c>WriteDelimitedTo</c> / <c>ParseDelimitedFrom</c> write and read it.</summary>
    LengthDelimited = 1,

    /// <summary>The Confluent Schema Registry wire format: magic byte <c>0</c>, the 4-byte big-endian schema id, the message indexes, then the message.</summary>
    Confluent = 2,
}
