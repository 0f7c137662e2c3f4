namespace DataWeaver.Serialization.Avro.Tests.Fuzz;

/// <summary>
/// Makes fuzz inputs from a corpus of valid encodings: random bytes, or a valid encoding with 1 to 4
/// mutations (bit flips, byte overwrites, truncations, inserted and deleted bytes, corrupted and over-long
/// varints, huge lengths and counts, duplicated slices). Deterministic for a given <see cref="Random"/>.
/// </summary>
internal sealed class Mutator(byte[][] corpus, Func<byte[], int>? hotStart = null, int hotPercent = 85)
{
    /// <summary>Lengths, counts and indexes that sit on the decoders' limits, written as zig-zag varints.</summary>
    private static readonly long[] Interesting =
    [
        0, 1, -1, 2, -2, 63, -64, 64, 127, 128, 255, 256, 16, 4096, 65535, 65536, FuzzModel.MaxRecordSize, FuzzModel.MaxRecordSize + 1,
        999_999, 1_000_000, 1_000_001, 64 * 1024 * 1024, (64 * 1024 * 1024) + 1, int.MaxValue, int.MinValue, (long)int.MaxValue + 1,
        uint.MaxValue, 1L << 40, long.MaxValue, long.MinValue, long.MaxValue - 1, long.MinValue + 1,
    ];

    public byte[] Next(Random random)
    {
        if (random.Next(100) < 8)
        {
            var noise = new byte[random.Next(97)];
            random.NextBytes(noise);
            return noise;
        }

        var source = corpus[random.Next(corpus.Length)];
        var data = new List<byte>(source);

        // Most mutations land after the header (framing or container header), hotPercent of them, so that they reach the datum decoder.
        var start = hotStart is not null && random.Next(100) < hotPercent ? Math.Min(hotStart(source), data.Count) : 0;
        for (var n = random.Next(1, 5); n > 0; n--)
        {
            Mutate(random, data, start);
        }

        return [.. data];
    }

    private static void Mutate(Random random, List<byte> data, int start)
    {
        var position = start + random.Next(Math.Max(1, data.Count - start + 1));
        var inside = position < data.Count;
        switch (random.Next(10))
        {
            case 0 when inside:
                data[position] ^= (byte)(1 << random.Next(8));
                break;
            case 1 when inside:
                data[position] = (byte)random.Next(256);
                break;
            case 2:
                data.RemoveRange(Math.Min(position, data.Count), data.Count - Math.Min(position, data.Count));
                break;
            case 3:
                data.InsertRange(Math.Min(position, data.Count), RandomBytes(random, random.Next(1, 9)));
                break;
            case 4 when inside:
                data.RemoveRange(position, Math.Min(random.Next(1, 9), data.Count - position));
                break;
            case 5 when inside:
                // Varint corruption: overwrite with the varint of a value on a limit.
                var overwrite = Varint(PickValue(random));
                data.RemoveRange(position, Math.Min(overwrite.Length, data.Count - position));
                data.InsertRange(position, overwrite);
                break;
            case 6:
                // A huge (or negative) length or count inserted where a length or count may be read.
                data.InsertRange(Math.Min(position, data.Count), Varint(PickValue(random)));
                break;
            case 7:
                // An over-long or never-ending varint.
                data.InsertRange(Math.Min(position, data.Count), Enumerable.Repeat(random.Next(2) == 0 ? (byte)0xFF : (byte)0x80, random.Next(9, 13)));
                break;
            case 8 when data.Count > 0:
                var from = random.Next(data.Count);
                var slice = data.GetRange(from, Math.Min(random.Next(1, 33), data.Count - from));
                data.InsertRange(Math.Min(position, data.Count), slice);
                break;
            case 9 when inside:
                data[position] = (byte)(random.Next(5) switch { 0 => 0x00, 1 => 0x01, 2 => 0x7F, 3 => 0x80, _ => 0xFF });
                break;
            default:
                if (inside)
                {
                    data[position] = (byte)~data[position];
                }

                break;
        }
    }

    private static long PickValue(Random random) => random.Next(4) == 0 ? random.NextInt64(long.MinValue, long.MaxValue) : Interesting[random.Next(Interesting.Length)];

    private static byte[] RandomBytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>The Avro zig-zag varint of a value.</summary>
    public static byte[] Varint(long value)
    {
        var bytes = new List<byte>(10);
        var n = (ulong)((value << 1) ^ (value >> 63));
        while (n >= 0x80)
        {
            bytes.Add((byte)(n | 0x80));
            n >>= 7;
        }

        bytes.Add((byte)n);
        return [.. bytes];
    }
}
