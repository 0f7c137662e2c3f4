namespace DataWeaver.Internal.Plan;

/// <summary>Picks the lane of each record of a batch, so records of one key always take the same lane.</summary>
internal interface IBatchPartitioner<T>
{
    int GetLane(T record, int lanes);
}

internal sealed class KeyPartitioner<T, TKey>(Func<T, TKey> keySelector) : IBatchPartitioner<T>
{
    private readonly EqualityComparer<TKey> _comparer = EqualityComparer<TKey>.Default;

    public int GetLane(T record, int lanes)
    {
        var key = keySelector(record);
        var hash = key is null ? 0 : (uint)_comparer.GetHashCode(key);

        // Mix the bits: default hash codes of small integers are the integers themselves.
        hash ^= hash >> 16;
        hash *= 0x7feb352d;
        hash ^= hash >> 15;
        return (int)(hash % (uint)lanes);
    }
}
