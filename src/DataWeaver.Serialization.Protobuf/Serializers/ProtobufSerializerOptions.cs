using DataWeaver.Serialization.Protobuf.Framing;

namespace DataWeaver.Serialization.Protobuf.Serializers;

/// <summary>
/// Options of <see cref="ProtobufSerializer{T}"/>, <see cref="ProtobufDeserializer{T}"/> and
/// <see cref="ProtobufDelimitedReader{T}"/>; copied when they are created.
/// </summary>
public sealed class ProtobufSerializerOptions
{
    /// <summary>The default <see cref="MaxRecordSize"/>: 1 MiB.</summary>
    public const int DefaultMaxRecordSize = 1024 * 1024;

    /// <summary>The default <see cref="RecursionLimit"/>: 100, Google.Protobuf's own default.</summary>
    public const int DefaultRecursionLimit = 100;

    /// <summary>Gets the framing of each record.</summary>
    /// <value>The default is <see cref="ProtobufFraming.None"/>.</value>
    public ProtobufFraming Framing { get; init; } = ProtobufFraming.None;

    /// <summary>Gets the registry id written with <see cref="ProtobufFraming.Confluent"/>; ignored when reading.</summary>
    /// <value>The default is 0.</value>
    public int SchemaId { get; init; }

    /// <summary>
    /// Gets the message indexes written with <see cref="ProtobufFraming.Confluent"/>: the path of the message type
    /// in its <c>.proto</c> file. <see langword="null"/> computes them from the message's descriptor.
    /// </summary>
    /// <value>The default is <see langword="null"/>; every index is 0 or more, at most 128 of them.</value>
    public IReadOnlyList<int>? MessageIndexes { get; init; }

    /// <summary>
    /// Gets the largest encoded message accepted, framing excluded, when writing and when reading (also the
    /// largest length prefix a delimited reader accepts).
    /// </summary>
    /// <value>The default is 1 MiB; the range is 16 bytes to 1 GiB.</value>
    public int MaxRecordSize { get; init; } = DefaultMaxRecordSize;

    /// <summary>Gets the deepest nesting of messages (and groups) accepted when reading.</summary>
    /// <value>
    /// The default is 100 (Google.Protobuf's default, parsed straight from the span or sequence); the range is
    /// 1 to 1000. Any other value parses through a <c>CodedInputStream</c> over a copy of the message.
    /// </value>
    public int RecursionLimit { get; init; } = DefaultRecursionLimit;

    internal ProtobufSerializerOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecordSize, 16, nameof(MaxRecordSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRecordSize, 1 << 30, nameof(MaxRecordSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(RecursionLimit, 1, nameof(RecursionLimit));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(RecursionLimit, 1000, nameof(RecursionLimit));
        int[]? indexes = null;
        if (MessageIndexes is not null)
        {
            indexes = [.. MessageIndexes];
            ConfluentProtobufWireFormat.ValidateIndexes(indexes, nameof(MessageIndexes));
        }

        return new ProtobufSerializerOptions
        {
            Framing = Framing,
            SchemaId = SchemaId,
            MessageIndexes = indexes,
            MaxRecordSize = MaxRecordSize,
            RecursionLimit = RecursionLimit,
        };
    }
}
