using System.Buffers;
using DataWeaver.Errors;
using DataWeaver.Serialization.Protobuf.Framing;
using DataWeaver.Serialization.Protobuf.Internal;
using Google.Protobuf;

namespace DataWeaver.Serialization.Protobuf.Serializers;

/// <summary>
/// Encodes a generated protobuf message straight into the buffer writer (no intermediate array), byte for byte
/// what <c>ToByteArray</c> returns, with optional framing. Thread-safe. A message above
/// <see cref="ProtobufSerializerOptions.MaxRecordSize"/> raises <see cref="RecordTooLargeException"/> and nothing is written.
/// </summary>
/// <typeparam name="T">The generated message type.</typeparam>
public sealed class ProtobufSerializer<T> : IRecordSerializer<T>
    where T : IMessage<T>, new()
{
    private readonly ProtobufSerializerOptions _options;
    private readonly int[] _messageIndexes;

    /// <summary>Creates the serializer.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public ProtobufSerializer(ProtobufSerializerOptions? options = null)
    {
        _options = (options ?? new ProtobufSerializerOptions()).Validate();
        _messageIndexes = _options.MessageIndexes is { } indexes
            ? [.. indexes]
            : ConfluentProtobufWireFormat.GetMessageIndexes(new T().Descriptor);
    }

    /// <inheritdoc />
    public string Format => ThrowHelper.Format;

    /// <inheritdoc />
    /// <exception cref="RecordTooLargeException">The encoded message is above the maximum record size.</exception>
    public void Serialize(in T value, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(value);
        ArgumentNullException.ThrowIfNull(writer);
        var size = value.CalculateSize();
        if (size > _options.MaxRecordSize)
        {
            throw new RecordTooLargeException($"protobuf serializer ({value.Descriptor.FullName})", size, _options.MaxRecordSize);
        }

        switch (_options.Framing)
        {
            case ProtobufFraming.LengthDelimited:
                Varint.Write(writer, (uint)size);
                break;
            case ProtobufFraming.Confluent:
                ConfluentProtobufWireFormat.WriteHeader(writer, _options.SchemaId, _messageIndexes);
                break;
            default:
                break;
        }

        value.WriteTo(writer);
    }
}
