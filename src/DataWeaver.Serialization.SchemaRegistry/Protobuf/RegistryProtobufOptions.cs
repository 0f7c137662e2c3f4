namespace DataWeaver.Serialization.SchemaRegistry.Protobuf;

/// <summary>Options of <see cref="RegistryProtobufSerializer{T}"/> and <see cref="RegistryProtobufDeserializer{T}"/> (the record
/// name of the <c>Record</c> and <c>TopicRecord</c> strategies is the message's full name); copied when they are created.</summary>
public sealed record RegistryProtobufOptions : RegistrySubjectOptions
{
    /// <summary>Gets the largest message accepted, framing excluded.</summary>
    /// <value>The default is 1 MiB (as <see cref="DataWeaver.Serialization.Protobuf.Serializers.ProtobufSerializerOptions.MaxRecordSize"/>).</value>
    public int MaxRecordSize { get; init; } = DataWeaver.Serialization.Protobuf.Serializers.ProtobufSerializerOptions.DefaultMaxRecordSize;
}
