using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace DataWeaver.Windowing;

/// <summary>
/// A HyperLogLog sketch: estimates how many distinct values were added in fixed memory (2^<see cref="Precision"/> one-byte
/// registers, allocated whole at construction; nothing grows as values are added). The relative standard error is about
/// 1.04 / sqrt(2^precision) over the whole range, from a handful of values to billions: the estimate is Ertl's improved
/// estimator ("New cardinality estimation algorithms for HyperLogLog sketches", 2017), which needs neither the
/// linear-counting switch nor HLL++'s empirical bias tables. Sketches of equal precision merge (<see cref="Merge"/>): the
/// merged sketch is exactly the sketch of the union. Values are hashed with a stable 64-bit hash (the same in every
/// process and run), so a sketch's <see cref="Registers"/> can be stored and merged elsewhere. Not thread-safe.
/// </summary>
public sealed class HyperLogLogSketch
{
    /// <summary>The smallest accepted precision: 4 (16 registers, about 26 % standard error).</summary>
    public const int MinPrecision = 4;

    /// <summary>The largest accepted precision: 18 (256 KiB of registers, about 0.2 % standard error).</summary>
    public const int MaxPrecision = 18;

    /// <summary>The default precision: 12 (4 KiB of registers, about 1.6 % standard error).</summary>
    public const int DefaultPrecision = 12;

    /// <summary>The bytes a sketch takes beside its registers (the object and the array's header), for state budgets.</summary>
    public const int OverheadBytes = 64;

    private const ulong Prime1 = 0x9E3779B97F4A7C15UL;
    private const ulong Prime2 = 0xC2B2AE3D27D4EB4FUL;

    private readonly byte[] _registers;
    private readonly int _precision;

    /// <summary>Creates an empty sketch.</summary>
    /// <param name="precision">The number of index bits p: 2^p registers of one byte. The default is 12; from 4 to 18.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="precision"/> is outside 4 to 18.</exception>
    public HyperLogLogSketch(int precision = DefaultPrecision)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(precision, MinPrecision);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(precision, MaxPrecision);
        _precision = precision;
        _registers = new byte[1 << precision];
    }

    /// <summary>Gets the precision p (2^p registers).</summary>
    public int Precision => _precision;

    /// <summary>Gets the registers (2^<see cref="Precision"/> bytes), to store the sketch; <see cref="FromRegisters"/> restores it.</summary>
    public ReadOnlySpan<byte> Registers => _registers;

    /// <summary>Gets the bytes the sketch takes in memory: its registers plus <see cref="OverheadBytes"/>.</summary>
    public long SizeBytes => _registers.Length + OverheadBytes;

    /// <summary>Gets the relative standard error of the estimate, 1.04 / sqrt(2^<see cref="Precision"/>).</summary>
    public double StandardError => StandardErrorOf(_precision);

    /// <summary>Gets the relative standard error of a sketch of <paramref name="precision"/>: 1.04 / sqrt(2^precision).</summary>
    /// <param name="precision">The precision, from 4 to 18.</param>
    /// <returns>The relative standard error (0.01625 for precision 12).</returns>
    public static double StandardErrorOf(int precision) => 1.04 / Math.Sqrt(1 << precision);

    /// <summary>Restores a sketch from its <see cref="Registers"/>.</summary>
    /// <param name="registers">2^p bytes for a precision p from 4 to 18, each at most 65 - p.</param>
    /// <returns>The sketch.</returns>
    /// <exception cref="ArgumentException">The length is not a power of two from 16 to 262,144, or a register is out of range.</exception>
    public static HyperLogLogSketch FromRegisters(ReadOnlySpan<byte> registers)
    {
        var length = registers.Length;
        if (!BitOperations.IsPow2(length) || length < 1 << MinPrecision || length > 1 << MaxPrecision)
        {
            throw new ArgumentException($"A sketch has 2^p registers for p from {MinPrecision} to {MaxPrecision} (was {length} bytes).", nameof(registers));
        }

        var sketch = new HyperLogLogSketch(BitOperations.Log2((uint)length));
        var max = 65 - sketch._precision;
        foreach (var r in registers)
        {
            if (r > max)
            {
                throw new ArgumentException($"A register of a precision-{sketch._precision} sketch is at most {max} (was {r}).", nameof(registers));
            }
        }

        registers.CopyTo(sketch._registers);
        return sketch;
    }

    /// <summary>Adds a value by its 64-bit hash (which MUST be well mixed: every bit equally likely; <see cref="Hash(long)"/> and its overloads are).</summary>
    /// <param name="hash">The value's hash.</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddHash(ulong hash)
    {
        var p = _precision;
        var index = (int)(hash >> (64 - p));

        // The position of the first 1 bit among the remaining 64 - p bits (from 1), or 65 - p when they are all 0.
        var rest = (hash << p) | (1UL << (p - 1));
        var rank = (byte)(BitOperations.LeadingZeroCount(rest) + 1);
        ref var register = ref _registers[index];
        if (rank > register)
        {
            register = rank;
        }
    }

    /// <summary>Adds a number (equal numbers count once; 0.0 and -0.0 count as one, every NaN as one).</summary>
    /// <param name="value">The value.</param>
    public void Add(double value) => AddHash(Hash(value));

    /// <summary>Adds an integer.</summary>
    /// <param name="value">The value.</param>
    public void Add(long value) => AddHash(Hash(value));

    /// <summary>Adds a string (by its UTF-16 code units, ordinal).</summary>
    /// <param name="value">The value.</param>
    public void Add(ReadOnlySpan<char> value) => AddHash(Hash(value));

    /// <summary>Adds bytes.</summary>
    /// <param name="value">The value.</param>
    public void Add(ReadOnlySpan<byte> value) => AddHash(Hash(value));

    /// <summary>Folds <paramref name="other"/> into this sketch: this becomes the sketch of the union of both inputs.</summary>
    /// <param name="other">A sketch of the same precision; not changed.</param>
    /// <exception cref="ArgumentException">The precisions differ.</exception>
    public void Merge(HyperLogLogSketch other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other._precision != _precision)
        {
            throw new ArgumentException($"Only sketches of one precision merge (this {_precision}, the other {other._precision}).", nameof(other));
        }

        var into = _registers.AsSpan();
        var from = other._registers.AsSpan();
        var i = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; i <= into.Length - Vector<byte>.Count; i += Vector<byte>.Count)
            {
                Vector.Max(new Vector<byte>(into[i..]), new Vector<byte>(from[i..])).CopyTo(into[i..]);
            }
        }

        for (; i < into.Length; i++)
        {
            into[i] = Math.Max(into[i], from[i]);
        }
    }

    /// <summary>Empties the sketch.</summary>
    public void Clear() => Array.Clear(_registers);

    /// <summary>Copies the sketch.</summary>
    /// <returns>A sketch with the same registers.</returns>
    public HyperLogLogSketch Clone()
    {
        var copy = new HyperLogLogSketch(_precision);
        _registers.CopyTo(copy._registers, 0);
        return copy;
    }

    /// <summary>Estimates the number of distinct values added (0 for an empty sketch).</summary>
    /// <returns>The estimate, rounded to the nearest whole number.</returns>
    public long Estimate()
    {
        var q = 64 - _precision;
        Span<int> histogram = stackalloc int[66];
        histogram.Clear();
        foreach (var r in _registers)
        {
            histogram[r]++;
        }

        double m = _registers.Length;
        if (histogram[0] == _registers.Length)
        {
            return 0;
        }

        var z = m * Tau(1 - (histogram[q + 1] / m));
        for (var k = q; k >= 1; k--)
        {
            z = 0.5 * (z + histogram[k]);
        }

        z += m * Sigma(histogram[0] / m);
        var estimate = m * m / (2 * Math.Log(2) * z);
        return (long)Math.Round(estimate);
    }

    /// <summary>A stable, well-mixed 64-bit hash of an integer (the murmur3 finalizer of its bits).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The hash.</returns>
    public static ulong Hash(long value) => Mix((ulong)value ^ Prime1);

    /// <summary>A stable, well-mixed 64-bit hash of a number (0.0 and -0.0 hash alike, as do all NaNs).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The hash.</returns>
    public static ulong Hash(double value) => Hash(value == 0 ? 0L : double.IsNaN(value) ? BitConverter.DoubleToInt64Bits(double.NaN) : BitConverter.DoubleToInt64Bits(value));

    /// <summary>A stable, well-mixed 64-bit hash of a string's UTF-16 code units.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The hash.</returns>
    public static ulong Hash(ReadOnlySpan<char> value) => Hash(MemoryMarshal.AsBytes(value));

    /// <summary>A stable, well-mixed 64-bit hash of bytes (8 bytes a step, each step mixed; the length folded in).</summary>
    /// <param name="value">The value.</param>
    /// <returns>The hash.</returns>
    public static ulong Hash(ReadOnlySpan<byte> value)
    {
        var h = Prime2 ^ ((ulong)value.Length * Prime1);
        while (value.Length >= 8)
        {
            h = Mix(h ^ BitConverter.ToUInt64(value)) * Prime1;
            value = value[8..];
        }

        if (!value.IsEmpty)
        {
            Span<byte> tail = stackalloc byte[8];
            tail.Clear();
            value.CopyTo(tail);
            h = Mix(h ^ BitConverter.ToUInt64(tail)) * Prime1;
        }

        return Mix(h);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Mix(ulong k)
    {
        k ^= k >> 33;
        k *= 0xFF51AFD7ED558CCDUL;
        k ^= k >> 33;
        k *= 0xC4CEB9FE1A85EC53UL;
        k ^= k >> 33;
        return k;
    }

    private static double Sigma(double x)
    {
        if (x == 1)
        {
            return double.PositiveInfinity;
        }

        double y = 1, z = x, previous;
        do
        {
            x *= x;
            previous = z;
            z += x * y;
            y += y;
        }
        while (z != previous);
        return z;
    }

    private static double Tau(double x)
    {
        if (x is 0 or 1)
        {
            return 0;
        }

        double y = 1, z = 1 - x, previous;
        do
        {
            x = Math.Sqrt(x);
            previous = z;
            y *= 0.5;
            z -= (1 - x) * (1 - x) * y;
        }
        while (z != previous);
        return z / 3;
    }
}
