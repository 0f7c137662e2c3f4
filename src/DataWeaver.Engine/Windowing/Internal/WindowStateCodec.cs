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

/// <summary>Writes and reads one key and its accumulator of a window's state; <see cref="Instance"/> is null when the types have no codec.</summary>
internal abstract class WindowStateCodec<TKey, TAcc>
{
    /// <summary>The codec of these types; <see langword="null"/> when snapshots do not support them.</summary>
    public static readonly WindowStateCodec<TKey, TAcc>? Instance = Create();

    public abstract void Write(StateWriter writer, TKey key, ref TAcc accumulator);

    public abstract TKey ReadKey(ref StateReader reader);

    public abstract TAcc ReadAccumulator(ref StateReader reader);

    private static WindowStateCodec<TKey, TAcc>? Create()
    {
        if (typeof(TAcc) != typeof(StandardAccumulator))
        {
            return null;
        }

        object? codec = typeof(TKey) == typeof(string) ? new StandardCodec<string>(static (w, k) => w.WriteString(k), static (ref StateReader r) => r.ReadString())
            : typeof(TKey) == typeof(long) ? new StandardCodec<long>(static (w, k) => w.WriteInt64(k), static (ref StateReader r) => r.ReadInt64())
            : typeof(TKey) == typeof(int) ? new StandardCodec<int>(static (w, k) => w.WriteInt32(k), static (ref StateReader r) => r.ReadInt32())
            : null;
        return (WindowStateCodec<TKey, TAcc>?)codec;
    }
}

/// <summary>Reads a key.</summary>
internal delegate TKey KeyReader<out TKey>(ref StateReader reader);

/// <summary>The built-in aggregates' accumulator: count, sum, min, max, first and last with their times and sequences, the distinct set and the collected values.</summary>
internal sealed class StandardCodec<TKey>(Action<StateWriter, TKey> writeKey, KeyReader<TKey> readKey) : WindowStateCodec<TKey, StandardAccumulator>
{
    public override void Write(StateWriter writer, TKey key, ref StandardAccumulator a)
    {
        writeKey(writer, key);
        WriteAccumulator(writer, ref a);
    }

    public override TKey ReadKey(ref StateReader reader) => readKey(ref reader);

    public override StandardAccumulator ReadAccumulator(ref StateReader reader) => ReadStandard(ref reader);

    /// <summary>Writes the accumulator without its key (layout version 1: no sketch).</summary>
    public static void WriteAccumulator(StateWriter writer, ref StandardAccumulator a)
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
    }

    /// <summary>Reads what <see cref="WriteAccumulator"/> wrote.</summary>
    public static StandardAccumulator ReadStandard(ref StateReader reader)
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

        return a;
    }
}
