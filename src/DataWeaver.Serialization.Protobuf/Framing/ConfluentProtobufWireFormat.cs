using System.Buffers;
using System.Buffers.Binary;
using DataWeaver.Serialization.Protobuf.Internal;
using Google.Protobuf;
using Google.Protobuf.Reflection;

namespace DataWeaver.Serialization.Protobuf.Framing;

/// <summary>
/// The Confluent Schema Registry wire format for protobuf: magic byte <c>0</c>, the 4-byte big-endian schema id,
/// the message indexes (a zig-zag varint count, then each index as a zig-zag varint; <c>[0]</c> is written as the
/// single byte <c>0</c>), then the message.
/// </summary>
public static class ConfluentProtobufWireFormat
{
    /// <summary>The magic byte that starts every framed record.</summary>
    public const byte MagicByte = 0;

    /// <summary>The most message indexes accepted (the deepest nesting of a message type in its file).</summary>
    public const int MaxMessageIndexes = 128;

    /// <summary>The size of the header before the message indexes: the magic byte and the schema id.</summary>
    public const int FixedHeaderSize = 5;

    /// <summary>The largest header: the fixed part, the count and <see cref="MaxMessageIndexes"/> 5-byte indexes.</summary>
    public const int MaxHeaderSize = FixedHeaderSize + (Varint.MaxLength32 * (MaxMessageIndexes + 1));

    private static readonly int[] FirstMessage = [0];

    /// <summary>Gets the message indexes of a message type: its position in its file, then in each containing type.</summary>
    /// <param name="descriptor">The message type, e.g. <c>MyMessage.Descriptor</c>.</param>
    /// <returns>The indexes, outermost first; <c>[0]</c> for the first top-level message of a file.</returns>
    public static int[] GetMessageIndexes(MessageDescriptor descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        var path = new List<int>();
        for (var d = descriptor; d is not null; d = d.ContainingType)
        {
            path.Add(d.Index);
        }

        path.Reverse();
        return [.. path];
    }

    /// <summary>Gets the size of the header for the given message indexes.</summary>
    /// <param name="messageIndexes">The message indexes; empty is written as <c>[0]</c>.</param>
    /// <returns>The header size in bytes.</returns>
    public static int GetHeaderSize(ReadOnlySpan<int> messageIndexes)
    {
        ValidateIndexes(messageIndexes, nameof(messageIndexes));
        if (IsFirstMessage(messageIndexes))
        {
            return FixedHeaderSize + 1;
        }

        var size = FixedHeaderSize + Varint.SizeOf(Varint.ZigZag(messageIndexes.Length));
        foreach (var index in messageIndexes)
        {
            size += Varint.SizeOf(Varint.ZigZag(index));
        }

        return size;
    }

    /// <summary>Writes the header: magic byte, schema id and message indexes.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="schemaId">The registry id of the writer schema.</param>
    /// <param name="messageIndexes">The message indexes; empty is written as <c>[0]</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">An index is negative, or there are more than <see cref="MaxMessageIndexes"/>.</exception>
    public static void WriteHeader(IBufferWriter<byte> output, int schemaId, ReadOnlySpan<int> messageIndexes)
    {
        ArgumentNullException.ThrowIfNull(output);
        var size = GetHeaderSize(messageIndexes);
        var span = output.GetSpan(size);
        span[0] = MagicByte;
        BinaryPrimitives.WriteInt32BigEndian(span[1..], schemaId);
        if (IsFirstMessage(messageIndexes))
        {
            span[FixedHeaderSize] = 0;
        }
        else
        {
            var at = FixedHeaderSize + Varint.Write(span[FixedHeaderSize..], Varint.ZigZag(messageIndexes.Length));
            foreach (var index in messageIndexes)
            {
                at += Varint.Write(span[at..], Varint.ZigZag(index));
            }
        }

        output.Advance(size);
    }

    /// <summary>Writes a message with the Confluent header, its message indexes taken from its descriptor.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="schemaId">The registry id of the writer schema.</param>
    /// <param name="message">The message.</param>
    public static void Write(IBufferWriter<byte> output, int schemaId, IMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        WriteHeader(output, schemaId, GetMessageIndexes(message.Descriptor));
        message.WriteTo(output);
    }

    /// <summary>Reads and checks the header.</summary>
    /// <param name="data">The framed bytes (at least the whole header).</param>
    /// <returns>The schema id, the message indexes and the header's length.</returns>
    /// <exception cref="DeserializationException">
    /// The data is shorter than the header, the magic byte is not 0, or the message indexes are malformed
    /// (a truncated or over-long varint, a negative count or index, more indexes than the data or
    /// <see cref="MaxMessageIndexes"/> allow).
    /// </exception>
    public static ConfluentProtobufHeader ReadHeader(ReadOnlySpan<byte> data)
    {
        if (data.Length == 0)
        {
            ThrowHelper.ThrowData(0, "truncated Confluent header: the input is empty");
        }

        if (data[0] != MagicByte)
        {
            ThrowHelper.ThrowData(0, $"wrong Confluent magic byte 0x{data[0]:X2} (expected 0x00)");
        }

        if (data.Length <= FixedHeaderSize)
        {
            ThrowHelper.ThrowData(data.Length, $"truncated Confluent header: {data.Length} bytes, the schema id and message indexes need at least {FixedHeaderSize + 1}");
        }

        var schemaId = BinaryPrimitives.ReadInt32BigEndian(data[1..]);
        var at = FixedHeaderSize;
        var count = ReadZigZag(data, ref at, "message-index count");
        if (count == 0)
        {
            return new ConfluentProtobufHeader(schemaId, FirstMessage, at);
        }

        if (count < 0)
        {
            ThrowHelper.ThrowData(FixedHeaderSize, $"negative message-index count {count}");
        }

        if (count > MaxMessageIndexes)
        {
            ThrowHelper.ThrowData(FixedHeaderSize, $"message-index count {count} is above the maximum of {MaxMessageIndexes}");
        }

        if (count > data.Length - at)
        {
            ThrowHelper.ThrowData(FixedHeaderSize, $"message-index count {count} goes beyond the end of the input ({data.Length - at} bytes remain)");
        }

        var indexes = new int[count];
        for (var i = 0; i < count; i++)
        {
            var start = at;
            indexes[i] = ReadZigZag(data, ref at, "message index");
            if (indexes[i] < 0)
            {
                ThrowHelper.ThrowData(start, $"negative message index {indexes[i]}");
            }
        }

        return new ConfluentProtobufHeader(schemaId, indexes, at);
    }

    internal static void ValidateIndexes(ReadOnlySpan<int> indexes, string paramName)
    {
        if (indexes.Length > MaxMessageIndexes)
        {
            throw new ArgumentOutOfRangeException(paramName, indexes.Length, $"At most {MaxMessageIndexes} message indexes are allowed.");
        }

        foreach (var index in indexes)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(index, paramName);
        }
    }

    private static bool IsFirstMessage(ReadOnlySpan<int> indexes) => indexes.Length == 0 || (indexes.Length == 1 && indexes[0] == 0);

    private static int ReadZigZag(ReadOnlySpan<byte> data, ref int at, string what)
    {
        switch (Varint.TryRead32(data[at..], out var raw, out var length))
        {
            case VarintStatus.Truncated:
                ThrowHelper.ThrowData(data.Length, $"truncated {what}: the input ends inside its varint at byte {at}");
                break;
            case VarintStatus.Malformed:
                ThrowHelper.ThrowData(at, $"malformed {what}: the varint is longer than 5 bytes or overflows 32 bits");
                break;
            default:
                break;
        }

        at += length;
        return Varint.UnZigZag(raw);
    }
}
