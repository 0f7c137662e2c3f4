using System.Buffers;
using System.Buffers.Binary;

namespace DataWeaver.Sockets.Internal;

/// <summary>Writes records as frames, and acknowledgements in the framing of the stream they answer.</summary>
internal static class FrameWriter
{
    /// <summary>Writes one frame: the payload and a <c>\n</c>, or a 4-byte big-endian length and the payload.</summary>
    public static void Write(IBufferWriter<byte> writer, SocketFraming framing, ReadOnlySpan<byte> payload)
    {
        if (framing == SocketFraming.LengthPrefixed)
        {
            var prefix = writer.GetSpan(4);
            BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)payload.Length);
            writer.Advance(4);
            writer.Write(payload);
        }
        else
        {
            var span = writer.GetSpan(payload.Length + 1);
            payload.CopyTo(span);
            span[payload.Length] = (byte)'\n';
            writer.Advance(payload.Length + 1);
        }
    }

    /// <summary>
    /// Writes an acknowledgement: the count of frames of the connection that are committed, as a decimal number and <c>\n</c>
    /// (newline-delimited) or as a frame of 8 bytes holding the count big-endian (length-prefixed).
    /// </summary>
    /// <returns>The bytes written into <paramref name="destination"/> (at most 21).</returns>
    public static int WriteAck(Span<byte> destination, SocketFraming framing, long count)
    {
        if (framing == SocketFraming.LengthPrefixed)
        {
            BinaryPrimitives.WriteUInt32BigEndian(destination, 8);
            BinaryPrimitives.WriteInt64BigEndian(destination[4..], count);
            return 12;
        }

        count.TryFormat(destination, out var written, provider: System.Globalization.CultureInfo.InvariantCulture);
        destination[written] = (byte)'\n';
        return written + 1;
    }

    /// <summary>Tries to read one acknowledgement (see <see cref="WriteAck"/>) from <paramref name="buffer"/>.</summary>
    /// <returns><see langword="true"/> with the count when one was complete; <see langword="false"/> when more bytes are needed.</returns>
    /// <exception cref="InvalidDataException">The bytes are not an acknowledgement.</exception>
    public static bool TryReadAck(ref ReadOnlySequence<byte> buffer, SocketFraming framing, out long count)
    {
        count = 0;
        if (framing == SocketFraming.LengthPrefixed)
        {
            if (buffer.Length < 12)
            {
                return false;
            }

            Span<byte> bytes = stackalloc byte[12];
            buffer.Slice(0, 12).CopyTo(bytes);
            if (BinaryPrimitives.ReadUInt32BigEndian(bytes) != 8)
            {
                throw new InvalidDataException("The peer's acknowledgement is not a frame of 8 bytes.");
            }

            count = BinaryPrimitives.ReadInt64BigEndian(bytes[4..]);
            buffer = buffer.Slice(12);
            return true;
        }

        var end = buffer.PositionOf((byte)'\n');
        if (end is null)
        {
            if (buffer.Length > 20)
            {
                throw new InvalidDataException("The peer's acknowledgement is not a decimal count and a newline.");
            }

            return false;
        }

        var line = buffer.Slice(0, end.Value);
        Span<byte> digits = stackalloc byte[21];
        if (line.Length > 20 || !long.TryParse(digits[..CopyTo(line, digits)], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count))
        {
            throw new InvalidDataException("The peer's acknowledgement is not a decimal count and a newline.");
        }

        buffer = buffer.Slice(buffer.GetPosition(1, end.Value));
        return true;
    }

    private static int CopyTo(ReadOnlySequence<byte> line, Span<byte> destination)
    {
        line.CopyTo(destination);
        var length = (int)line.Length;
        return length > 0 && destination[length - 1] == (byte)'\r' ? length - 1 : length;
    }
}
