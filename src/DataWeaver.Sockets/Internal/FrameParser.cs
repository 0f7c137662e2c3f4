using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;

namespace DataWeaver.Sockets.Internal;

/// <summary>One frame cut from a stream: its payload (or, for an error, the bytes kept of it) and where it starts.</summary>
/// <param name="Payload">The frame's bytes, or for an error at most the maximum frame size of them.</param>
/// <param name="Offset">The stream offset of the frame's first byte (its length prefix, when it has one).</param>
/// <param name="Error">What is wrong, or <see langword="null"/> for a good frame.</param>
/// <param name="Detail">What was seen, for an error.</param>
/// <param name="PayloadOffset">The stream offset of <paramref name="Payload"/>'s first byte.</param>
internal readonly record struct ParsedFrame(ReadOnlySequence<byte> Payload, long Offset, SocketFrameError? Error, string? Detail, long PayloadOffset)
{
    /// <summary>Gets a value indicating whether the stream cannot be followed after this frame (a bad length prefix).</summary>
    public bool EndsStream => Error == SocketFrameError.BadLengthPrefix;
}

/// <summary>A good frame cut by the fast path: the stream offset of its payload and the payload's length.</summary>
/// <param name="PayloadOffset">The stream offset of the payload's first byte.</param>
/// <param name="Length">The payload's length.</param>
internal readonly record struct FrameSpan(long PayloadOffset, int Length);

/// <summary>
/// Cuts frames out of a byte stream read in pieces (a frame may be split across any number of reads), keeping the stream
/// offset. An oversized frame is reported once with its first <c>maxFrameBytes</c> bytes and the rest of it skipped, so the
/// memory held stays within about one frame whatever the peer sends. Not thread-safe: one per connection.
/// </summary>
internal sealed class FrameParser(SocketFraming framing, int maxFrameBytes)
{
    private long _skip;
    private bool _skipLine;

    /// <summary>Gets the stream offset of the first byte not yet consumed.</summary>
    public long Offset { get; private set; }

    /// <summary>Tries to cut the next frame from <paramref name="buffer"/>, advancing it past the frame (and past any bytes skipped).</summary>
    /// <param name="buffer">The bytes read and not yet consumed; on return, what is left after the frame.</param>
    /// <param name="frame">The frame.</param>
    /// <returns><see langword="true"/> when a frame (or a frame error) was cut; <see langword="false"/> when more bytes are needed.</returns>
    public bool TryRead(ref ReadOnlySequence<byte> buffer, out ParsedFrame frame) =>
        framing == SocketFraming.NewlineDelimited ? TryReadLine(ref buffer, out frame) : TryReadPrefixed(ref buffer, out frame);

    /// <summary>
    /// Cuts the good frames at the start of one contiguous span (the first segment of a read) without slicing sequences: the
    /// fast path. Stops once <paramref name="frames"/> is full, at a frame not wholly in <paramref name="span"/>, and at anything
    /// <see cref="TryRead"/> must judge (an oversized frame, a bad prefix, the rest of a skipped frame), leaving it unconsumed.
    /// </summary>
    /// <param name="span">The bytes read and not yet consumed, from the parser's <see cref="Offset"/>.</param>
    /// <param name="frames">Receives each frame's payload as a stream offset and a length; its length is the most frames cut.</param>
    /// <param name="consumed">How many bytes were consumed (0 when the general path must go first).</param>
    /// <returns>How many frames were cut.</returns>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)] // a hot loop: optimized from its first call
    public int ReadGoodFrames(ReadOnlySpan<byte> span, Span<FrameSpan> frames, out int consumed)
    {
        consumed = 0;
        if (_skipLine || _skip > 0)
        {
            return 0;
        }

        var max = frames.Length;
        var count = 0;
        if (framing == SocketFraming.NewlineDelimited)
        {
            while (count < max)
            {
                var rest = span[consumed..];
                var newline = rest.IndexOf((byte)'\n');
                if (newline < 0 || newline > maxFrameBytes + 1)
                {
                    break; // more bytes needed, or a line too long: TryRead decides
                }

                var length = newline > 0 && rest[newline - 1] == (byte)'\r' ? newline - 1 : newline;
                if (length > maxFrameBytes)
                {
                    break;
                }

                frames[count++] = new FrameSpan(Offset + consumed, length);
                consumed += newline + 1;
            }
        }
        else
        {
            while (count < max && span.Length - consumed >= 4)
            {
                var length = BinaryPrimitives.ReadUInt32BigEndian(span[consumed..]);
                if (length > (uint)maxFrameBytes || span.Length - consumed - 4 < length)
                {
                    break; // too large or not all here: TryRead decides
                }

                frames[count++] = new FrameSpan(Offset + consumed + 4, (int)length);
                consumed += 4 + (int)length;
            }
        }

        Offset += consumed;
        return count;
    }

    /// <summary>The stream ended: the bytes left (if any) are a frame that never ended.</summary>
    /// <param name="buffer">The bytes left; on return, empty.</param>
    /// <param name="frame">The error of the truncated frame.</param>
    /// <returns><see langword="true"/> when there were bytes left of an unfinished frame.</returns>
    public bool TryFinish(ref ReadOnlySequence<byte> buffer, out ParsedFrame frame)
    {
        frame = default;
        if (buffer.IsEmpty || _skipLine || _skip > 0)
        {
            Consume(ref buffer, buffer.Length);
            return false;
        }

        var kept = buffer.Slice(0, Math.Min(buffer.Length, maxFrameBytes));
        frame = new ParsedFrame(kept, Offset, SocketFrameError.Truncated, string.Create(CultureInfo.InvariantCulture, $"{buffer.Length} bytes after the last complete frame"), Offset);
        Consume(ref buffer, buffer.Length);
        return true;
    }

    private bool TryReadLine(ref ReadOnlySequence<byte> buffer, out ParsedFrame frame)
    {
        frame = default;
        while (_skipLine)
        {
            var end = buffer.PositionOf((byte)'\n');
            if (end is null)
            {
                Consume(ref buffer, buffer.Length);
                return false;
            }

            Consume(ref buffer, buffer.Slice(0, end.Value).Length + 1);
            _skipLine = false;
        }

        // A line of maxFrameBytes plus "\r\n" is the longest that can still be a frame: look no further.
        var window = buffer.Length > maxFrameBytes + 2L ? buffer.Slice(0, maxFrameBytes + 2L) : buffer;
        long newline;
        if (window.IsSingleSegment)
        {
            newline = window.FirstSpan.IndexOf((byte)'\n');
        }
        else
        {
            newline = window.PositionOf((byte)'\n') is { } position ? window.Slice(0, position).Length : -1;
        }

        var start = Offset;
        if (newline < 0)
        {
            if (buffer.Length <= maxFrameBytes + 1L)
            {
                return false; // the line goes on in the next read
            }

            frame = new ParsedFrame(buffer.Slice(0, maxFrameBytes), start, SocketFrameError.TooLarge, string.Create(CultureInfo.InvariantCulture, $"no end of line within {maxFrameBytes} bytes, the limit; the rest of the line is skipped"), start);
            Consume(ref buffer, maxFrameBytes); // the part kept; the rest of the line is skipped by the next call
            _skipLine = true;
            return true;
        }

        var length = newline;
        if (length > 0 && buffer.Slice(length - 1, 1).FirstSpan[0] == (byte)'\r')
        {
            length--;
        }

        if (length > maxFrameBytes)
        {
            frame = new ParsedFrame(buffer.Slice(0, maxFrameBytes), start, SocketFrameError.TooLarge, string.Create(CultureInfo.InvariantCulture, $"a line of {length} bytes, above the limit of {maxFrameBytes}"), start);
        }
        else
        {
            frame = new ParsedFrame(buffer.Slice(0, length), start, null, null, start);
        }

        Consume(ref buffer, newline + 1);
        return true;
    }

    private bool TryReadPrefixed(ref ReadOnlySequence<byte> buffer, out ParsedFrame frame)
    {
        frame = default;
        if (_skip > 0)
        {
            var skipped = Math.Min(_skip, buffer.Length);
            Consume(ref buffer, skipped);
            _skip -= skipped;
            if (_skip > 0)
            {
                return false;
            }
        }

        if (buffer.Length < 4)
        {
            return false;
        }

        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        var length = BinaryPrimitives.ReadUInt32BigEndian(prefix);
        var start = Offset;
        if (length > int.MaxValue)
        {
            frame = new ParsedFrame(buffer.Slice(0, 4), start, SocketFrameError.BadLengthPrefix, string.Create(CultureInfo.InvariantCulture, $"0x{length:X8} is above 2^31 - 1; the connection is closed after it, as no later frame can be found"), start);
            Consume(ref buffer, 4);
            return true;
        }

        if (length > maxFrameBytes)
        {
            if (buffer.Length < 4L + maxFrameBytes)
            {
                return false; // the kept part (the first maxFrameBytes bytes) is not all here yet
            }

            frame = new ParsedFrame(buffer.Slice(4, maxFrameBytes), start, SocketFrameError.TooLarge, string.Create(CultureInfo.InvariantCulture, $"a length prefix of {length} bytes, above the limit of {maxFrameBytes}; the frame is skipped"), start + 4);
            Consume(ref buffer, 4L + maxFrameBytes);
            _skip = length - (long)maxFrameBytes;
            return true;
        }

        if (buffer.Length < 4L + length)
        {
            return false;
        }

        frame = new ParsedFrame(buffer.Slice(4, length), start, null, null, start + 4);
        Consume(ref buffer, 4L + length);
        return true;
    }

    private void Consume(ref ReadOnlySequence<byte> buffer, long count)
    {
        buffer = buffer.Slice(count);
        Offset += count;
    }
}
