using System.Buffers;
using DataWeaver.Serialization.Protobuf.Framing;
using DataWeaver.Serialization.Protobuf.Internal;
using Google.Protobuf;

namespace DataWeaver.Serialization.Protobuf.Serializers;

/// <summary>
/// Decodes one generated protobuf message per record with Google.Protobuf's parser, straight from the span or
/// sequence, with optional framing, a maximum record size and a recursion limit. Thread-safe. Bad input raises
/// <see cref="DeserializationException"/> with format <c>protobuf</c>, the byte offset within the record and the
/// reason (Google.Protobuf's own message for errors inside the message); it never crashes and never hangs.
/// </summary>
/// <remarks>
/// With <see cref="ProtobufFraming.Confluent"/> the header is checked (magic byte, well-formed message indexes)
/// but neither the schema id nor the indexes select the type: the record is parsed as <typeparamref name="T"/>.
/// Read the header with <see cref="ConfluentProtobufWireFormat.ReadHeader"/> to route on them.
/// </remarks>
/// <typeparam name="T">The generated message type.</typeparam>
public sealed class ProtobufDeserializer<T> : IRecordDeserializer<T>
    where T : IMessage<T>, new()
{
    private readonly ProtobufSerializerOptions _options;
    private readonly MessageReader<T> _reader;

    /// <summary>Creates the deserializer.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public ProtobufDeserializer(ProtobufSerializerOptions? options = null)
    {
        _options = (options ?? new ProtobufSerializerOptions()).Validate();
        _reader = new MessageReader<T>(_options.RecursionLimit);
    }

    /// <inheritdoc />
    public string Format => ThrowHelper.Format;

    /// <inheritdoc />
    public T Deserialize(ReadOnlySpan<byte> data)
    {
        var offset = ReadFraming(data, data.Length);
        return _reader.Parse(data[offset..], offset);
    }

    /// <inheritdoc />
    public T Deserialize(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Deserialize(data.FirstSpan);
        }

        var offset = 0;
        if (_options.Framing != ProtobufFraming.None)
        {
            Span<byte> scratch = stackalloc byte[ConfluentProtobufWireFormat.MaxHeaderSize];
            offset = ReadFraming(Varint.Head(data, scratch), data.Length);
        }
        else
        {
            CheckSize(data.Length, 0);
        }

        return _reader.Parse(data.Slice(offset), offset);
    }

    /// <summary>Checks the framing at the start of <paramref name="head"/> and the message size; returns where the message starts.</summary>
    private int ReadFraming(ReadOnlySpan<byte> head, long total)
    {
        switch (_options.Framing)
        {
            case ProtobufFraming.LengthDelimited:
                ProtobufDelimitedReader<T>.TryReadPrefix(head, isFinal: true, 0, _options.MaxRecordSize, out var length, out var prefixLength);
                if (total - prefixLength < length)
                {
                    ThrowHelper.ThrowData(0, $"truncated message: the length prefix says {length} bytes but only {total - prefixLength} remain");
                }

                if (total - prefixLength > length)
                {
                    ThrowHelper.ThrowData(prefixLength + length, $"{total - prefixLength - length} unexpected bytes after the message");
                }

                return prefixLength;
            case ProtobufFraming.Confluent:
                var header = ConfluentProtobufWireFormat.ReadHeader(head);
                CheckSize(total - header.Length, header.Length);
                return header.Length;
            default:
                CheckSize(total, 0);
                return 0;
        }
    }

    private void CheckSize(long size, int offset)
    {
        if (size > _options.MaxRecordSize)
        {
            ThrowHelper.ThrowData(offset, $"the message is {size} bytes, above the maximum record size of {_options.MaxRecordSize} bytes");
        }
    }
}
