using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace DataWeaver.Serialization.Avro.Binary;

/// <summary>
/// Writes Avro binary encoding into an <see cref="IBufferWriter{T}"/>. Bytes are buffered in the span the
/// output hands out: call <see cref="Flush"/> when done, or they are not committed.
/// </summary>
public ref struct AvroWriter
{
    private readonly IBufferWriter<byte> _output;
    private Span<byte> _span;
    private int _buffered;
    private long _committed;

    /// <summary>Creates a writer.</summary>
    /// <param name="output">Where the bytes go.</param>
    public AvroWriter(IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        _output = output;
        _span = default;
        _buffered = 0;
        _committed = 0;
    }

    /// <summary>Gets the number of bytes written so far, flushed or not.</summary>
    public readonly long BytesWritten => _committed + _buffered;

    /// <summary>Commits the buffered bytes to the output.</summary>
    public void Flush()
    {
        if (_buffered > 0)
        {
            _output.Advance(_buffered);
            _committed += _buffered;
            _buffered = 0;
        }

        _span = default;
    }

    /// <summary>Writes <c>null</c>, which takes no bytes.</summary>
#pragma warning disable CA1822 // Part of the writer API for symmetry with the schema types.
    public readonly void WriteNull()
#pragma warning restore CA1822
    {
    }

    /// <summary>Writes a boolean as one byte, 0 or 1.</summary>
    /// <param name="value">The value.</param>
    public void WriteBoolean(bool value)
    {
        Ensure(1)[0] = value ? (byte)1 : (byte)0;
        _buffered++;
    }

    /// <summary>Writes an int as a zig-zag varint.</summary>
    /// <param name="value">The value.</param>
    public void WriteInt(int value) => WriteLong(value);

    /// <summary>Writes a long as a zig-zag varint (1 to 10 bytes).</summary>
    /// <param name="value">The value.</param>
    public void WriteLong(long value)
    {
        var span = Ensure(10);
        var n = (ulong)((value << 1) ^ (value >> 63));
        var i = 0;
        while (n >= 0x80)
        {
            span[i++] = (byte)(n | 0x80);
            n >>= 7;
        }

        span[i++] = (byte)n;
        _buffered += i;
    }

    /// <summary>Writes a float as 4 little-endian bytes.</summary>
    /// <param name="value">The value.</param>
    public void WriteFloat(float value)
    {
        BinaryPrimitives.WriteSingleLittleEndian(Ensure(4), value);
        _buffered += 4;
    }

    /// <summary>Writes a double as 8 little-endian bytes.</summary>
    /// <param name="value">The value.</param>
    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(Ensure(8), value);
        _buffered += 8;
    }

    /// <summary>Writes bytes: a long length followed by the bytes.</summary>
    /// <param name="value">The bytes.</param>
    public void WriteBytes(scoped ReadOnlySpan<byte> value)
    {
        WriteLong(value.Length);
        WriteFixed(value);
    }

    /// <summary>Writes a string: a long length followed by its UTF-8 bytes.</summary>
    /// <param name="value">The string.</param>
    public void WriteString(scoped ReadOnlySpan<char> value)
    {
        var count = Encoding.UTF8.GetByteCount(value);
        WriteLong(count);
        var span = Ensure(count);
        _buffered += Encoding.UTF8.GetBytes(value, span);
    }

    /// <summary>Writes bytes as they are, with no length: the encoding of a fixed.</summary>
    /// <param name="value">The bytes.</param>
    public void WriteFixed(scoped ReadOnlySpan<byte> value)
    {
        if (value.IsEmpty)
        {
            return;
        }

        value.CopyTo(Ensure(value.Length));
        _buffered += value.Length;
    }

    /// <summary>Writes an enum symbol's index.</summary>
    /// <param name="index">The index of the symbol.</param>
    public void WriteEnum(int index) => WriteLong(index);

    /// <summary>Writes the index of a union branch; the branch's value follows.</summary>
    /// <param name="index">The branch index.</param>
    public void WriteUnionIndex(int index) => WriteLong(index);

    /// <summary>Writes the item count of an array or map block; a count of 0 ends the array or map.</summary>
    /// <param name="count">The number of items in the block that follows.</param>
    public void WriteBlockCount(long count) => WriteLong(count);

    private Span<byte> Ensure(int size)
    {
        if (_span.Length - _buffered < size)
        {
            Flush();
            _span = _output.GetSpan(Math.Max(size, 256));
        }

        return _span[_buffered..];
    }
}
