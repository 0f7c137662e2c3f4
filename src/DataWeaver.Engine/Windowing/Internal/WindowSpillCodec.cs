using System.Runtime.CompilerServices;

namespace DataWeaver.Windowing.Internal;

/// <summary>Writes an accumulator into a spill frame.</summary>
internal delegate void SpillAccumulatorWriter<TAcc>(StateWriter writer, ref TAcc accumulator);

/// <summary>Reads an accumulator from the rest of a spill frame.</summary>
internal delegate TAcc SpillAccumulatorReader<TAcc>(ReadOnlySpan<byte> bytes);

/// <summary>Folds one partial aggregate into another (the aggregator's Merge).</summary>
internal delegate void SpillMergeFunc<TAcc>(ref TAcc into, ref TAcc other);

/// <summary>
/// The keys and accumulators of spill runs: keys of type string, long or int (with the order runs are sorted in: hash,
/// then the key), the built-in accumulator (the snapshot layout, then the sketch's registers) or a user aggregator's
/// <see cref="IWindowAccumulatorCodec{TAccumulator}"/>.
/// </summary>
internal sealed class WindowSpillCodec<TKey, TAcc>
    where TKey : notnull
{
    private static readonly Action<StateWriter, TKey>? s_writeKey = KeyWriter();
    private static readonly KeyReader<TKey>? s_readKey = KeyReaderOf();

    private WindowSpillCodec(SpillAccumulatorWriter<TAcc> write, SpillAccumulatorReader<TAcc> read)
    {
        WriteAccumulator = write;
        ReadAccumulator = read;
    }

    /// <summary>Gets whether keys of this type can be spilled.</summary>
    public static bool KeySupported => s_writeKey is not null;

    public SpillAccumulatorWriter<TAcc> WriteAccumulator { get; }

    public SpillAccumulatorReader<TAcc> ReadAccumulator { get; }

    /// <summary>The codec for an aggregator, or <see langword="null"/> when its key or accumulator cannot be spilled.</summary>
    public static WindowSpillCodec<TKey, TAcc>? For(object aggregator)
    {
        if (!KeySupported)
        {
            return null;
        }

        if (typeof(TAcc) == typeof(StandardAccumulator))
        {
            return (WindowSpillCodec<TKey, TAcc>)(object)new WindowSpillCodec<TKey, StandardAccumulator>(WriteStandard, ReadStandard);
        }

        if (aggregator is IWindowAccumulatorCodec<TAcc> codec)
        {
            return new WindowSpillCodec<TKey, TAcc>(
                (StateWriter writer, ref TAcc accumulator) => codec.Write(ref accumulator, writer.Buffer),
                codec.Read);
        }

        return null;
    }

    public static void WriteKey(StateWriter writer, TKey key) => s_writeKey!(writer, key);

    public static TKey ReadKey(ref StateReader reader) => s_readKey!(ref reader);

    /// <summary>The hash runs are sorted by first (stable within the process that wrote them).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static int Hash(TKey key) => EqualityComparer<TKey>.Default.GetHashCode(key);

    /// <summary>The order of a run: hash, then key (strings ordinal).</summary>
    public static int Compare(int hashA, TKey a, int hashB, TKey b)
    {
        if (hashA != hashB)
        {
            return hashA < hashB ? -1 : 1;
        }

        return typeof(TKey) == typeof(string)
            ? string.CompareOrdinal(Unsafe.As<TKey, string>(ref a), Unsafe.As<TKey, string>(ref b))
            : Comparer<TKey>.Default.Compare(a, b);
    }

    private static void WriteStandard(StateWriter writer, ref StandardAccumulator a)
    {
        StandardCodec<TKey>.WriteAccumulator(writer, ref a);
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

    private static StandardAccumulator ReadStandard(ReadOnlySpan<byte> bytes)
    {
        var reader = new StateReader(bytes);
        var a = StandardCodec<TKey>.ReadStandard(ref reader);
        var registers = reader.ReadInt32();
        if (registers >= 0)
        {
            a.Sketch = HyperLogLogSketch.FromRegisters(reader.ReadBytes(registers));
        }

        return a;
    }

    private static Action<StateWriter, TKey>? KeyWriter() =>
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
