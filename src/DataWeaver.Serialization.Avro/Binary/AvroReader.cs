using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Text;
using DataWeaver.Serialization.Avro.Internal;

namespace DataWeaver.Serialization.Avro.Binary;

/// <summary>
/// Reads Avro binary encoding from a span, zero-copy where it can (<see cref="ReadBytesSpan"/>, strings
/// decoded straight from the span). Every malformed input raises a <see cref="DeserializationException"/>
/// with format <c>avro</c>, the byte offset and the reason.
/// </summary>
public ref struct AvroReader
{
    private readonly ReadOnlySpan<byte> _data;
    private readonly long _baseOffset;
    private int _position;
    private int _depth;
    private long _zeroSizeItems;

    /// <summary>Creates a reader.</summary>
    /// <param name="data">The encoded bytes.</param>
    /// <param name="baseOffset">Added to positions in error offsets, when <paramref name="data"/> is part of a larger frame or file.</param>
    /// <param name="maxDepth">The deepest nesting of records, arrays and maps accepted; defaults to 64.</param>
    public AvroReader(ReadOnlySpan<byte> data, long baseOffset = 0, int maxDepth = 64)
    {
        _data = data;
        _baseOffset = baseOffset;
        _position = 0;
        _depth = 0;
        _zeroSizeItems = 0;
        MaxDepth = maxDepth;
    }

    /// <summary>Gets the deepest nesting of records, arrays and maps accepted.</summary>
    public int MaxDepth { get; }

    /// <summary>Gets the position of the next byte to read, relative to the start of the span.</summary>
    public readonly int Position => _position;

    /// <summary>Gets the number of bytes left.</summary>
    public readonly int Remaining => _data.Length - _position;

    /// <summary>Gets the absolute offset of the next byte, including the base offset.</summary>
    public readonly long Offset => _baseOffset + _position;

    /// <summary>Gets a value indicating whether every byte has been read.</summary>
    public readonly bool End => _position >= _data.Length;

    /// <summary>Reads a boolean; a byte other than 0 or 1 is an error.</summary>
    /// <returns>The value.</returns>
    public bool ReadBoolean()
    {
        var b = ReadByte();
        if (b > 1)
        {
            ThrowHelper.ThrowData(Offset - 1, $"invalid boolean byte 0x{b:X2} (must be 0 or 1)");
        }

        return b == 1;
    }

    /// <summary>Reads an int: a zig-zag varint that must fit 32 bits.</summary>
    /// <returns>The value.</returns>
    public int ReadInt()
    {
        var start = _position;
        var value = ReadLong();
        if (value is < int.MinValue or > int.MaxValue)
        {
            ThrowHelper.ThrowData(_baseOffset + start, $"int value {value} is out of the 32-bit range");
        }

        return (int)value;
    }

    /// <summary>Reads a long: a zig-zag varint of at most 10 bytes.</summary>
    /// <returns>The value.</returns>
    public long ReadLong()
    {
        // Most varints are one byte (values -64..63: lengths, indexes, small numbers).
        if ((uint)_position < (uint)_data.Length && _data[_position] < 0x80)
        {
            ulong single = _data[_position++];
            return (long)(single >> 1) ^ -(long)(single & 1);
        }

        return ReadLongSlow();
    }

    private long ReadLongSlow()
    {
        var start = _position;
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            if (_position >= _data.Length)
            {
                ThrowHelper.ThrowData(_baseOffset + start, "truncated varint: the input ends inside it");
            }

            var b = _data[_position++];
            if (shift == 63 && b > 1)
            {
                ThrowHelper.ThrowData(_baseOffset + start, "malformed varint: it overflows 64 bits");
            }

            result |= (ulong)(b & 0x7f) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }

            shift += 7;
            if (shift > 63)
            {
                ThrowHelper.ThrowData(_baseOffset + start, "malformed varint: longer than 10 bytes");
            }
        }

        return (long)(result >> 1) ^ -(long)(result & 1);
    }

    /// <summary>Reads a float from 4 little-endian bytes.</summary>
    /// <returns>The value.</returns>
    public float ReadFloat() => BinaryPrimitives.ReadSingleLittleEndian(Take(4, "float"));

    /// <summary>Reads a double from 8 little-endian bytes.</summary>
    /// <returns>The value.</returns>
    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8, "double"));

    /// <summary>Reads bytes as a slice of the input, without copying.</summary>
    /// <returns>The bytes; valid as long as the input is.</returns>
    public ReadOnlySpan<byte> ReadBytesSpan()
    {
        var start = Offset;
        var length = ReadLong();
        if (length < 0)
        {
            ThrowHelper.ThrowData(start, $"negative length {length}");
        }

        if (length > Remaining)
        {
            ThrowHelper.ThrowData(start, $"length {length} goes beyond the end of the input ({Remaining} bytes left)");
        }

        return Take((int)length, "bytes");
    }

    /// <summary>Reads bytes into a new array.</summary>
    /// <returns>The bytes.</returns>
    public byte[] ReadBytes() => ReadBytesSpan().ToArray();

    /// <summary>Reads a string, decoding UTF-8 straight from the input; invalid UTF-8 is an error.</summary>
    /// <returns>The string.</returns>
    public string ReadString()
    {
        var start = Offset;
        var bytes = ReadBytesSpan();
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            ThrowHelper.ThrowData(start, "invalid UTF-8 in string");
        }

        return Encoding.UTF8.GetString(bytes);
    }

    /// <summary>Reads a fixed number of bytes as a slice of the input.</summary>
    /// <param name="size">The size of the fixed.</param>
    /// <returns>The bytes.</returns>
    public ReadOnlySpan<byte> ReadFixed(int size) => Take(size, "fixed");

    /// <summary>Reads an enum index and checks it against the number of symbols.</summary>
    /// <param name="symbolCount">The number of symbols of the writer's enum.</param>
    /// <returns>The index.</returns>
    public int ReadEnum(int symbolCount)
    {
        var start = Offset;
        var index = ReadLong();
        if (index < 0 || index >= symbolCount)
        {
            ThrowHelper.ThrowData(start, $"unknown enum index {index} (the enum has {symbolCount} symbols)");
        }

        return (int)index;
    }

    /// <summary>Reads a union branch index and checks it against the number of branches.</summary>
    /// <param name="branchCount">The number of branches of the writer's union.</param>
    /// <returns>The index.</returns>
    public int ReadUnionIndex(int branchCount)
    {
        var start = Offset;
        var index = ReadLong();
        if (index < 0 || index >= branchCount)
        {
            ThrowHelper.ThrowData(start, $"unknown union branch {index} (the union has {branchCount} branches)");
        }

        return (int)index;
    }

    /// <summary>
    /// Reads the item count of an array or map block. A negative count is followed by the block's size in
    /// bytes, returned in <paramref name="byteSize"/> (otherwise -1). A count of 0 ends the array or map.
    /// </summary>
    /// <param name="byteSize">The block size in bytes, or -1 when the writer did not give it.</param>
    /// <returns>The number of items in the block.</returns>
    public long ReadBlockCount(out long byteSize)
    {
        var start = Offset;
        var count = ReadLong();
        byteSize = -1;
        if (count < 0)
        {
            if (count == long.MinValue)
            {
                ThrowHelper.ThrowData(start, "invalid block count");
            }

            count = -count;
            var sizeStart = Offset;
            byteSize = ReadLong();
            if (byteSize < 0 || byteSize > Remaining)
            {
                ThrowHelper.ThrowData(sizeStart, $"block size {byteSize} is negative or goes beyond the end of the input ({Remaining} bytes left)");
            }
        }

        return count;
    }

    /// <summary>Skips bytes.</summary>
    /// <param name="count">How many bytes to skip.</param>
    public void Skip(long count)
    {
        if (count < 0 || count > Remaining)
        {
            ThrowHelper.ThrowData(Offset, $"cannot skip {count} bytes ({Remaining} bytes left)");
        }

        _position += (int)count;
    }

    /// <summary>Enters a nested record, array or map; too deep a nesting is an error.</summary>
    public void Enter()
    {
        if (++_depth > MaxDepth)
        {
            ThrowHelper.ThrowData(Offset, $"nesting deeper than {MaxDepth} levels");
        }
    }

    /// <summary>Leaves a nested record, array or map.</summary>
    public void Leave() => _depth--;

    /// <summary>
    /// Checks that a block of <paramref name="count"/> items, each at least <paramref name="minItemSize"/> bytes,
    /// can fit in what is left. Items that may take no bytes at all (<paramref name="minItemSize"/> 0) are
    /// counted across everything this reader reads, so that nested blocks cannot multiply them.
    /// </summary>
    /// <param name="count">The item count of one block (not negative).</param>
    /// <param name="minItemSize">The smallest possible encoded size of one item.</param>
    /// <param name="maxZeroSizeItems">The most items that may take no bytes accepted in total by this reader.</param>
    public void CheckBlock(long count, int minItemSize, long maxZeroSizeItems)
    {
        if (minItemSize > 0)
        {
            if (count > Remaining / minItemSize)
            {
                ThrowHelper.ThrowData(Offset, $"block count {count} is larger than the input can hold ({Remaining} bytes left)");
            }
        }
        else if (count > maxZeroSizeItems - _zeroSizeItems)
        {
            ThrowHelper.ThrowData(Offset, $"block count {count} brings the items that take no bytes above the limit of {maxZeroSizeItems}");
        }
        else
        {
            _zeroSizeItems += count;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private byte ReadByte()
    {
        if (_position >= _data.Length)
        {
            ThrowHelper.ThrowData(Offset, "truncated input: expected 1 more byte");
        }

        return _data[_position++];
    }

    private ReadOnlySpan<byte> Take(int count, string what)
    {
        if (count > _data.Length - _position)
        {
            ThrowHelper.ThrowData(Offset, $"truncated input: {what} needs {count} bytes, {Remaining} left");
        }

        var slice = _data.Slice(_position, count);
        _position += count;
        return slice;
    }
}
