using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using DataWeaver.Serialization.Protobuf.Internal;
using DataWeaver.Serialization.Protobuf.Serializers;
using Google.Protobuf;

namespace DataWeaver.Serialization.Protobuf.Framing;

/// <summary>
/// Reads length-delimited messages (a varint length prefix, then the message, as Google.Protobuf's
/// <c>WriteDelimitedTo</c> writes them) one at a time from buffers that may hold part of a message, part of a
/// prefix or many messages, split across segments anywhere. One reader follows one stream: it counts the bytes
/// consumed so that every error names the byte offset in the whole stream. Not thread-safe.
/// </summary>
/// <remarks>
/// Frame errors (a truncated or malformed prefix, a negative length or one above
/// <see cref="ProtobufSerializerOptions.MaxRecordSize"/>, a truncated message) name the offset of the frame's
/// first byte; errors inside a message name the offset of the failure within the stream. A length above the
/// maximum fails as soon as the prefix is read, before the message is buffered.
/// </remarks>
/// <typeparam name="T">The message type.</typeparam>
public sealed class ProtobufDelimitedReader<T>
    where T : IMessage<T>, new()
{
    private readonly MessageReader<T> _reader;
    private readonly int _maxRecordSize;

    /// <summary>Creates a reader positioned at the start of a stream.</summary>
    /// <param name="options">The options (<see cref="ProtobufSerializerOptions.MaxRecordSize"/> and <see cref="ProtobufSerializerOptions.RecursionLimit"/> apply); <see langword="null"/> for the defaults.</param>
    public ProtobufDelimitedReader(ProtobufSerializerOptions? options = null)
    {
        var validated = (options ?? new ProtobufSerializerOptions()).Validate();
        _maxRecordSize = validated.MaxRecordSize;
        _reader = new MessageReader<T>(validated.RecursionLimit);
    }

    /// <summary>Gets the number of bytes consumed so far: the stream offset of the next frame.</summary>
    public long Position { get; private set; }

    /// <summary>Reads the next message from the start of <paramref name="buffer"/>.</summary>
    /// <param name="buffer">The unread bytes of the stream, starting at <see cref="Position"/>.</param>
    /// <param name="isFinalBlock"><see langword="true"/> when no bytes follow <paramref name="buffer"/>: a partial frame is then an error.</param>
    /// <param name="message">The message, when one was read.</param>
    /// <param name="consumed">The bytes of the frame read (prefix and message); 0 when none was read.</param>
    /// <returns>
    /// <see langword="true"/> when a message was read; <see langword="false"/> when <paramref name="buffer"/> holds
    /// only part of the next frame (supply more bytes), or is empty and <paramref name="isFinalBlock"/> (the end).
    /// </returns>
    /// <exception cref="DeserializationException">The frame or the message is malformed.</exception>
    public bool TryRead(in ReadOnlySequence<byte> buffer, bool isFinalBlock, [MaybeNullWhen(false)] out T message, out long consumed)
    {
        message = default;
        consumed = 0;
        if (buffer.IsEmpty)
        {
            return false;
        }

        Span<byte> scratch = stackalloc byte[Varint.MaxLength64];
        var head = Varint.Head(buffer, scratch);
        if (!TryReadPrefix(head, isFinalBlock, Position, _maxRecordSize, out var length, out var prefixLength))
        {
            return false;
        }

        var frame = prefixLength + (long)length;
        if (buffer.Length < frame)
        {
            if (isFinalBlock)
            {
                ThrowHelper.ThrowData(Position, $"truncated message: the length prefix says {length} bytes but only {buffer.Length - prefixLength} remain");
            }

            return false;
        }

        message = _reader.Parse(buffer.Slice(prefixLength, length), Position + prefixLength);
        consumed = frame;
        Position += frame;
        return true;
    }

    /// <summary>Reads a length prefix; <see langword="false"/> when more bytes are needed.</summary>
    internal static bool TryReadPrefix(ReadOnlySpan<byte> head, bool isFinal, long offset, int maxRecordSize, out int length, out int prefixLength)
    {
        length = 0;
        switch (Varint.TryRead64(head, out var value, out prefixLength))
        {
            case VarintStatus.Truncated:
                if (isFinal)
                {
                    ThrowHelper.ThrowData(offset, $"truncated length prefix: the input ends after {prefixLength} of its bytes");
                }

                return false;
            case VarintStatus.Malformed:
                ThrowHelper.ThrowData(offset, "malformed length prefix: the varint is longer than 10 bytes or overflows 64 bits");
                break;
            default:
                break;
        }

        if ((long)value < 0)
        {
            ThrowHelper.ThrowData(offset, $"negative length prefix {(long)value}");
        }

        if (value > (ulong)maxRecordSize)
        {
            ThrowHelper.ThrowData(offset, $"the length prefix says {value} bytes, above the maximum record size of {maxRecordSize} bytes");
        }

        length = (int)value;
        return true;
    }
}
