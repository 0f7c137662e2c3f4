using System.Buffers;

namespace DataWeaver.Serialization.Protobuf.Internal;

/// <summary>The outcome of decoding a varint.</summary>
internal enum VarintStatus
{
    /// <summary>A complete varint was decoded.</summary>
    Done,

    /// <summary>The input ended inside the varint.</summary>
    Truncated,

    /// <summary>The varint is longer than its maximum size or overflows its type.</summary>
    Malformed,
}

/// <summary>Base-128 varints as the protobuf wire format defines them.</summary>
internal static class Varint
{
    /// <summary>The largest size of a 64-bit varint.</summary>
    public const int MaxLength64 = 10;

    /// <summary>The largest size of a 32-bit varint.</summary>
    public const int MaxLength32 = 5;

    public static int SizeOf(uint value) => ((31 - System.Numerics.BitOperations.LeadingZeroCount(value | 1)) / 7) + 1;

    public static int Write(Span<byte> destination, uint value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            destination[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        destination[i++] = (byte)value;
        return i;
    }

    public static void Write(IBufferWriter<byte> output, uint value)
    {
        var span = output.GetSpan(MaxLength32);
        output.Advance(Write(span, value));
    }

    /// <summary>Decodes an unsigned 64-bit varint (at most 10 bytes, the last one at most 1).</summary>
    public static VarintStatus TryRead64(ReadOnlySpan<byte> data, out ulong value, out int length)
    {
        value = 0;
        for (var i = 0; i < MaxLength64; i++)
        {
            if (i == data.Length)
            {
                length = i;
                return VarintStatus.Truncated;
            }

            var b = data[i];
            if (i == MaxLength64 - 1 && b > 1)
            {
                length = i + 1;
                return VarintStatus.Malformed;
            }

            value |= (ulong)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                length = i + 1;
                return VarintStatus.Done;
            }
        }

        length = MaxLength64;
        return VarintStatus.Malformed;
    }

    /// <summary>Decodes an unsigned 32-bit varint (at most 5 bytes, the last one at most 0x0F).</summary>
    public static VarintStatus TryRead32(ReadOnlySpan<byte> data, out uint value, out int length)
    {
        value = 0;
        for (var i = 0; i < MaxLength32; i++)
        {
            if (i == data.Length)
            {
                length = i;
                return VarintStatus.Truncated;
            }

            var b = data[i];
            if (i == MaxLength32 - 1 && b > 0x0F)
            {
                length = i + 1;
                return VarintStatus.Malformed;
            }

            value |= (uint)(b & 0x7F) << (7 * i);
            if (b < 0x80)
            {
                length = i + 1;
                return VarintStatus.Done;
            }
        }

        length = MaxLength32;
        return VarintStatus.Malformed;
    }

    /// <summary>Copies the first bytes of <paramref name="data"/> (at most <paramref name="scratch"/>'s length) into a span.</summary>
    public static ReadOnlySpan<byte> Head(in ReadOnlySequence<byte> data, Span<byte> scratch)
    {
        if (data.FirstSpan.Length >= scratch.Length || data.IsSingleSegment)
        {
            return data.FirstSpan;
        }

        var length = (int)Math.Min(data.Length, scratch.Length);
        data.Slice(0, length).CopyTo(scratch);
        return scratch[..length];
    }

    public static uint ZigZag(int value) => (uint)((value << 1) ^ (value >> 31));

    public static int UnZigZag(uint value) => (int)(value >> 1) ^ -(int)(value & 1);
}
