using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace DataWeaver.Windowing.Internal;

/// <summary>Writes a window stage's state snapshot: little-endian fixed-size numbers, strings as a length and UTF-8.</summary>
internal sealed class StateWriter(ArrayBufferWriter<byte> buffer)
{
    public ArrayBufferWriter<byte> Buffer { get; } = buffer;

    public void WriteByte(byte value)
    {
        Buffer.GetSpan(1)[0] = value;
        Buffer.Advance(1);
    }

    public void WriteInt32(int value)
    {
        BinaryPrimitives.WriteInt32LittleEndian(Buffer.GetSpan(4), value);
        Buffer.Advance(4);
    }

    public void WriteInt64(long value)
    {
        BinaryPrimitives.WriteInt64LittleEndian(Buffer.GetSpan(8), value);
        Buffer.Advance(8);
    }

    public void WriteDouble(double value)
    {
        BinaryPrimitives.WriteDoubleLittleEndian(Buffer.GetSpan(8), value);
        Buffer.Advance(8);
    }

    public void WriteString(string value)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteInt32(length);
        Encoding.UTF8.GetBytes(value, Buffer.GetSpan(length));
        Buffer.Advance(length);
    }

    public void WriteBytes(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(Buffer.GetSpan(bytes.Length));
        Buffer.Advance(bytes.Length);
    }
}

/// <summary>Reads what <see cref="StateWriter"/> wrote; past the end it throws <see cref="FormatException"/>.</summary>
internal ref struct StateReader(ReadOnlySpan<byte> bytes)
{
    private readonly ReadOnlySpan<byte> _bytes = bytes;
    private int _position;

    public readonly bool AtEnd => _position == _bytes.Length;

    public readonly int Remaining => _bytes.Length - _position;

    public byte ReadByte() => Take(1)[0];

    public int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

    public long ReadInt64() => BinaryPrimitives.ReadInt64LittleEndian(Take(8));

    public double ReadDouble() => BinaryPrimitives.ReadDoubleLittleEndian(Take(8));

    public string ReadString() => Encoding.UTF8.GetString(Take(ReadCount()));

    public ReadOnlySpan<byte> ReadBytes(int length) => Take(length);

    /// <summary>Reads a count or length: never negative, never more than the bytes left.</summary>
    public int ReadCount()
    {
        var count = ReadInt32();
        if (count < 0 || count > _bytes.Length - _position)
        {
            throw new FormatException($"a count of {count} at byte {_position - 4} does not fit the {_bytes.Length} bytes");
        }

        return count;
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > _bytes.Length - _position)
        {
            throw new FormatException($"the state ends at byte {_bytes.Length}, {length} more bytes were expected at {_position}");
        }

        var span = _bytes.Slice(_position, length);
        _position += length;
        return span;
    }
}

/// <summary>Writes an accumulator.</summary>
internal delegate void AccumulatorWriter<TAcc>(StateWriter writer, ref TAcc accumulator);

/// <summary>Reads an accumulator written in a layout (1: the built-in accumulator without its sketch; 2: with it, or a user codec's bytes).</summary>
internal delegate TAcc AccumulatorReader<TAcc>(ref StateReader reader, byte layout);

/// <summary>Reads a key.</summary>
internal delegate TKey KeyReader<out TKey>(ref StateReader reader);

/// <summary>
/// Writes and reads one key and its accumulator of a window's state (snapshots and spill runs): keys of type string
/// (an int32 UTF-8 length and the bytes), long or int; the built-in accumulator (<see cref="StandardCodec"/>) or a user
/// aggregator's accumulator through its <see cref="IWindowAccumulatorCodec{TAccumulator}"/> (an int32 length and the
/// bytes). Writes layout 2; reads 1 and 2.
/// </summary>
internal sealed class WindowStateCodec<TKey, TAcc>
{
    /// <summary>The layout written.</summary>
    public const byte Layout = 2;

    private static readonly Action<StateWriter, TKey>? s_writeKey = KeyWriterOf();
    private static readonly KeyReader<TKey>? s_readKey = KeyReaderOf();

    private readonly AccumulatorWriter<TAcc> _write;
    private readonly AccumulatorReader<TAcc> _read;

    private WindowStateCodec(AccumulatorWriter<TAcc> write, AccumulatorReader<TAcc> read)
    {
        _write = write;
        _read = read;
    }

    /// <summary>Gets whether keys of this type can be written.</summary>
    public static bool KeySupported => s_writeKey is not null;

    /// <summary>The codec for an aggregator's keys and accumulators, or <see langword="null"/> when either cannot be written.</summary>
    public static WindowStateCodec<TKey, TAcc>? For(object? aggregator)
    {
        if (!KeySupported)
        {
            return null;
        }

        if (typeof(TAcc) == typeof(StandardAccumulator))
        {
            return (WindowStateCodec<TKey, TAcc>)(object)new WindowStateCodec<TKey, StandardAccumulator>(StandardCodec.Write, StandardCodec.Read);
        }

        if (aggregator is IWindowAccumulatorCodec<TAcc> codec)
        {
            var bytes = new ArrayBufferWriter<byte>(64);
            return new WindowStateCodec<TKey, TAcc>(
                (StateWriter writer, ref TAcc accumulator) =>
                {
                    bytes.ResetWrittenCount();
                    codec.Write(ref accumulator, bytes);
                    writer.WriteInt32(bytes.WrittenCount);
                    writer.WriteBytes(bytes.WrittenSpan);
                },
                (ref StateReader reader, byte layout) => layout < 2
                    ? throw new FormatException("a user aggregator's state needs layout 2")
                    : codec.Read(reader.ReadBytes(reader.ReadCount())));
        }

        return null;
    }

    public void Write(StateWriter writer, TKey key, ref TAcc accumulator)
    {
        s_writeKey!(writer, key);
        _write(writer, ref accumulator);
    }

    public static TKey ReadKey(ref StateReader reader) => s_readKey!(ref reader);

    public TAcc ReadAccumulator(ref StateReader reader, byte layout = Layout) => _read(ref reader, layout);

    private static Action<StateWriter, TKey>? KeyWriterOf() =>
        typeof(TKey) == typeof(string) ? (Action<StateWriter, TKey>)(object)new Action<StateWriter, string>(static (w, k) => w.WriteString(k))
        : typeof(TKey) == typeof(long) ? (Action<StateWriter, TKey>)(object)new Action<StateWriter, long>(static (w, k) => w.WriteInt64(k))
        : typeof(TKey) == typeof(int) ? (Action<StateWriter, TKey>)(object)new Action<StateWriter, int>(static (w, k) => w.WriteInt32(k))
        : null;

    private static KeyReader<TKey>? KeyReaderOf() =>
        typeof(TKey) == typeof(string) ? (KeyReader<TKey>)(object)new KeyReader<string>(static (ref StateReader r) => r.ReadString())
        : typeof(TKey) == typeof(long) ? (KeyReader<TKey>)(object)new KeyReader<long>(static (ref StateReader r) => r.ReadInt64())
        : typeof(TKey) == typeof(int) ? (KeyReader<TKey>)(object)new KeyReader<int>(static (ref StateReader r) => r.ReadInt32())
        : null;
}

/// <summary>
/// The built-in aggregates' accumulator: count, sum, min, max, first and last with their times and sequences, the
/// distinct set and the collected values (each list an int32 count or -1), and in layout 2 the sketch's registers (an
/// int32 length or -1).
/// </summary>
internal static class StandardCodec
{
    public static void Write(StateWriter writer, ref StandardAccumulator a)
    {
        writer.WriteInt64(a.Count);
        writer.WriteDouble(a.Sum);
        writer.WriteDouble(a.Min);
        writer.WriteDouble(a.Max);
        writer.WriteInt64(a.FirstTicks);
        writer.WriteInt64(a.FirstSequence);
        writer.WriteDouble(a.First);
        writer.WriteInt64(a.LastTicks);
        writer.WriteInt64(a.LastSequence);
        writer.WriteDouble(a.Last);
        if (a.Distinct is { } distinct)
        {
            writer.WriteInt32(distinct.Count);
            foreach (var value in distinct)
            {
                writer.WriteDouble(value);
            }
        }
        else
        {
            writer.WriteInt32(-1);
        }

        if (a.Values is { } values)
        {
            writer.WriteInt32(values.Count);
            foreach (var (sequence, value) in values)
            {
                writer.WriteInt64(sequence);
                writer.WriteDouble(value);
            }
        }
        else
        {
            writer.WriteInt32(-1);
        }

        if (a.Sketch is { } sketch)
        {
            writer.WriteInt32(sketch.Registers.Length);
            writer.WriteBytes(sketch.Registers);
        }
        else
        {
            writer.WriteInt32(-1);
        }
    }

    /// <summary>Reads what <see cref="Write"/> wrote (layout 2), or layout 1 (no sketch).</summary>
    public static StandardAccumulator Read(ref StateReader reader, byte layout)
    {
        var a = new StandardAccumulator
        {
            Count = reader.ReadInt64(),
            Sum = reader.ReadDouble(),
            Min = reader.ReadDouble(),
            Max = reader.ReadDouble(),
            FirstTicks = reader.ReadInt64(),
            FirstSequence = reader.ReadInt64(),
            First = reader.ReadDouble(),
            LastTicks = reader.ReadInt64(),
            LastSequence = reader.ReadInt64(),
            Last = reader.ReadDouble(),
        };
        var distinct = reader.ReadInt32();
        if (distinct >= 0)
        {
            a.Distinct = new HashSet<double>(Math.Min(distinct, 1024));
            for (var i = 0; i < distinct; i++)
            {
                a.Distinct.Add(reader.ReadDouble());
            }
        }

        var values = reader.ReadInt32();
        if (values >= 0)
        {
            a.Values = new List<(long Sequence, double Value)>(Math.Min(values, 1024));
            for (var i = 0; i < values; i++)
            {
                a.Values.Add((reader.ReadInt64(), reader.ReadDouble()));
            }
        }

        if (layout >= 2 && reader.ReadInt32() is >= 0 and var registers)
        {
            try
            {
                a.Sketch = HyperLogLogSketch.FromRegisters(reader.ReadBytes(registers));
            }
            catch (ArgumentException exception)
            {
                throw new FormatException(exception.Message, exception);
            }
        }

        return a;
    }
}
