using System.Buffers;
using System.Buffers.Binary;
using System.Text;
using DataWeaver.Sockets.Internal;

namespace DataWeaver.Sockets.Tests.Tcp;

/// <summary>
/// The frame parser fed a stream cut at every possible point (and byte by byte), as a socket may deliver it: each cut gives the
/// same frames, errors and offsets as the whole stream read at once.
/// </summary>
public sealed class FrameParserTests
{
    private const int Max = 16;

    [Theory]
    [InlineData(SocketFraming.NewlineDelimited)]
    [InlineData(SocketFraming.LengthPrefixed)]
    public void TryRead_StreamCutAtEveryPoint_SameFramesAsReadWhole(SocketFraming framing)
    {
        var stream = Stream(framing);
        var whole = Parse([stream], framing);

        for (var cut = 1; cut < stream.Length; cut++)
        {
            Assert.Equal(whole, Parse([stream[..cut], stream[cut..]], framing));
        }

        Assert.Equal(whole, Parse([.. stream.Select(b => new[] { b })], framing));
        Assert.Equal(Expected(framing), whole);
    }

    /// <summary>The span fast path (as the TCP source runs it: at most 3 frames a call, then the general path) cuts the same frames.</summary>
    [Theory]
    [InlineData(SocketFraming.NewlineDelimited)]
    [InlineData(SocketFraming.LengthPrefixed)]
    public void ReadGoodFrames_StreamCutAtEveryPoint_SameFramesAsTheGeneralPath(SocketFraming framing)
    {
        var stream = Stream(framing);
        var expected = Parse([stream], framing);

        for (var cut = 1; cut < stream.Length; cut++)
        {
            Assert.Equal(expected, ParseFast([stream[..cut], stream[cut..]], framing, stream));
        }

        Assert.Equal(expected, ParseFast([.. stream.Select(b => new[] { b })], framing, stream));
        Assert.Equal(expected, ParseFast([stream], framing, stream));
    }

    [Fact]
    public void TryRead_LengthPrefixAboveInt32_BadLengthPrefixThatEndsTheStream()
    {
        var stream = Frame(SocketFraming.LengthPrefixed, "ok").Concat(new byte[] { 0xFF, 0xFF, 0xFF, 0xF0, 1, 2, 3 }).ToArray();
        var parser = new FrameParser(SocketFraming.LengthPrefixed, Max);
        var buffer = new ReadOnlySequence<byte>(stream);

        Assert.True(parser.TryRead(ref buffer, out var first));
        Assert.True(parser.TryRead(ref buffer, out var bad));

        Assert.Null(first.Error);
        Assert.Equal(SocketFrameError.BadLengthPrefix, bad.Error);
        Assert.True(bad.EndsStream);
        Assert.Equal(6, bad.Offset);
        Assert.Equal(new byte[] { 0xFF, 0xFF, 0xFF, 0xF0 }, bad.Payload.ToArray());
    }

    /// <summary>Good frames, an empty one, a CRLF line, frames above the limit (longer than a read, too) and a truncated tail.</summary>
    private static byte[] Stream(SocketFraming framing) =>
    [
        .. Frame(framing, "alpha"),
        .. Frame(framing, ""),
        .. framing == SocketFraming.NewlineDelimited ? "crlf\r\n"u8.ToArray() : Frame(framing, "crlf"),
        .. Frame(framing, new string('x', Max + 1)),
        .. Frame(framing, "beta"),
        .. Frame(framing, new string('y', 3 * Max)),
        .. Frame(framing, new string('z', Max)),
        .. Encoding.ASCII.GetBytes("tail"),
    ];

    private static List<string> Expected(SocketFraming framing)
    {
        var prefix = framing == SocketFraming.LengthPrefixed ? 4 : 1;
        long offset = 0;
        var result = new List<string>();
        void Add(string text, int wireLength, string? error = null)
        {
            result.Add(error is null ? $"{offset}:{text}" : $"{offset}:{error}:{text}");
            offset += wireLength;
        }

        Add("alpha", 5 + prefix);
        Add("", prefix);
        Add("crlf", framing == SocketFraming.NewlineDelimited ? 6 : 8);
        Add(new string('x', Max), Max + 1 + prefix, "TooLarge");
        Add("beta", 4 + prefix);
        Add(new string('y', Max), 3 * Max + prefix, "TooLarge");
        Add(new string('z', Max), Max + prefix);
        Add("tail", 4, "Truncated");
        return result;
    }

    private static byte[] Frame(SocketFraming framing, string text)
    {
        var payload = Encoding.ASCII.GetBytes(text);
        if (framing == SocketFraming.NewlineDelimited)
        {
            return [.. payload, (byte)'\n'];
        }

        var prefix = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(prefix, (uint)payload.Length);
        return [.. prefix, .. payload];
    }

    /// <summary>Feeds the pieces one at a time, keeping what was not consumed, as the connection's pipe does.</summary>
    private static List<string> Parse(IEnumerable<byte[]> pieces, SocketFraming framing)
    {
        var parser = new FrameParser(framing, Max);
        var pending = Array.Empty<byte>();
        var result = new List<string>();
        foreach (var piece in pieces)
        {
            pending = [.. pending, .. piece];
            var buffer = new ReadOnlySequence<byte>(pending);
            while (parser.TryRead(ref buffer, out var frame))
            {
                result.Add(Describe(frame));
            }

            pending = buffer.ToArray();
        }

        var rest = new ReadOnlySequence<byte>(pending);
        if (parser.TryFinish(ref rest, out var last))
        {
            result.Add(Describe(last));
        }

        return result;
    }

    /// <summary>Like <see cref="Parse"/>, with the fast path first each time; good frames described from their offsets in <paramref name="stream"/>.</summary>
    private static List<string> ParseFast(IEnumerable<byte[]> pieces, SocketFraming framing, byte[] stream)
    {
        var parser = new FrameParser(framing, Max);
        var prefix = framing == SocketFraming.LengthPrefixed ? 4 : 0;
        var pending = Array.Empty<byte>();
        var result = new List<string>();
        var cut = new FrameSpan[3];
        foreach (var piece in pieces)
        {
            pending = [.. pending, .. piece];
            var buffer = new ReadOnlySequence<byte>(pending);
            while (true)
            {
                var count = parser.ReadGoodFrames(buffer.FirstSpan, cut, out var consumed);
                if (consumed > 0)
                {
                    buffer = buffer.Slice(consumed);
                    result.AddRange(cut.Take(count).Select(f => $"{f.PayloadOffset - prefix}:{Encoding.ASCII.GetString(stream, (int)f.PayloadOffset, f.Length)}"));
                    continue;
                }

                if (!parser.TryRead(ref buffer, out var frame))
                {
                    break;
                }

                result.Add(Describe(frame));
                if (frame.Error is null)
                {
                    Assert.Equal(frame.Payload.ToArray(), stream.AsSpan((int)frame.PayloadOffset, (int)frame.Payload.Length).ToArray());
                }
            }

            pending = buffer.ToArray();
        }

        var rest = new ReadOnlySequence<byte>(pending);
        if (parser.TryFinish(ref rest, out var last))
        {
            result.Add(Describe(last));
        }

        return result;
    }

    private static string Describe(ParsedFrame frame) =>
        frame.Error is { } error ? $"{frame.Offset}:{error}:{Encoding.ASCII.GetString(frame.Payload.ToArray())}" : $"{frame.Offset}:{Encoding.ASCII.GetString(frame.Payload.ToArray())}";
}
