namespace DataWeaver.Joins;

/// <summary>What a <see cref="LookupChange{TKey, TValue}"/> does to a lookup table.</summary>
public enum LookupChangeKind
{
    /// <summary>Sets the key's value (adds the key or replaces its value).</summary>
    Upsert,

    /// <summary>Removes the key (a tombstone); a key that is not in the table is ignored.</summary>
    Delete,

    /// <summary>
    /// The changes so far are the table's initial contents (e.g. a compacted topic read to its high watermark): the
    /// first batch is joined only after this marker, then every further change is applied live.
    /// </summary>
    Synced,
}

/// <summary>One change of a lookup table that follows a change stream (<see cref="LookupTable.FromChanges{TKey, TValue}"/>).</summary>
/// <typeparam name="TKey">The key type.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Kind">What the change does.</param>
/// <param name="Key">The key (the type's default for <see cref="LookupChangeKind.Synced"/>).</param>
/// <param name="Value">The new value of an <see cref="LookupChangeKind.Upsert"/>; the type's default otherwise.</param>
public readonly record struct LookupChange<TKey, TValue>(LookupChangeKind Kind, TKey Key, TValue Value)
{
    /// <summary>Sets <paramref name="key"/> to <paramref name="value"/>.</summary>
    /// <param name="key">The key.</param>
    /// <param name="value">The value.</param>
    /// <returns>The change.</returns>
    public static LookupChange<TKey, TValue> Upsert(TKey key, TValue value) => new(LookupChangeKind.Upsert, key, value);

    /// <summary>Removes <paramref name="key"/>.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The change.</returns>
    public static LookupChange<TKey, TValue> Delete(TKey key) => new(LookupChangeKind.Delete, key, default!);

    /// <summary>Marks the end of the initial contents.</summary>
    /// <returns>The marker.</returns>
    public static LookupChange<TKey, TValue> Synced() => new(LookupChangeKind.Synced, default!, default!);
}
