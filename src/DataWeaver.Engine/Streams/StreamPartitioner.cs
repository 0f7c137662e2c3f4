namespace DataWeaver.Streams;

/// <summary>
/// Chooses a partition from a key: <c>(murmur2(key) &amp; 0x7fffffff) % partitions</c>, the partitioner of
/// Kafka's Java client and of librdkafka's <c>murmur2_random</c>. So keyed messages land on the same partition
/// in the in-process framework as in Kafka.
/// </summary>
public static class StreamPartitioner
{
    /// <summary>Gets the partition of a non-empty key.</summary>
    /// <param name="key">The key bytes.</param>
    /// <param name="partitions">The stream's partition count; at least 1.</param>
    /// <returns>A partition from 0 to <paramref name="partitions"/> - 1.</returns>
    public static int ForKey(ReadOnlySpan<byte> key, int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        return (Murmur2(key) & 0x7fffffff) % partitions;
    }

    /// <summary>Computes Kafka's murmur2 hash of a key (seed <c>0x9747b28c</c>).</summary>
    /// <param name="data">The bytes.</param>
    /// <returns>The hash, as the Java client computes it.</returns>
    public static int Murmur2(ReadOnlySpan<byte> data)
    {
        const uint m = 0x5bd1e995;
        const int r = 24;
        var length = data.Length;
        var h = 0x9747b28cu ^ (uint)length;
        var length4 = length / 4;
        for (var i = 0; i < length4; i++)
        {
            var i4 = i * 4;
            var k = data[i4] | ((uint)data[i4 + 1] << 8) | ((uint)data[i4 + 2] << 16) | ((uint)data[i4 + 3] << 24);
            k *= m;
            k ^= k >> r;
            k *= m;
            h *= m;
            h ^= k;
        }

        var tail = length & ~3;
        switch (length % 4)
        {
            case 3:
                h ^= (uint)data[tail + 2] << 16;
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= m;
                break;
            case 2:
                h ^= (uint)data[tail + 1] << 8;
                h ^= data[tail];
                h *= m;
                break;
            case 1:
                h ^= data[tail];
                h *= m;
                break;
        }

        h ^= h >> 13;
        h *= m;
        h ^= h >> 15;
        return unchecked((int)h);
    }
}
