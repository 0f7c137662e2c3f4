using System.Runtime.CompilerServices;
using DataWeaver.Connectors;

namespace DataWeaver.Joins;

/// <summary>
/// Where a lookup join's table comes from: a loader that yields the table's rows as key/value pairs, run once when a
/// pipeline run starts and again on every refresh (<see cref="LookupJoinOptions.RefreshInterval"/>). Immutable; one table
/// may serve several pipelines, each run loading its own copy. Create one with <see cref="LookupTable"/>'s factories.
/// </summary>
/// <typeparam name="TKey">The key type; equal keys by <see cref="EqualityComparer{T}.Default"/>.</typeparam>
/// <typeparam name="TValue">The value type.</typeparam>
public sealed class LookupTable<TKey, TValue>
    where TKey : notnull
{
    internal LookupTable(string name, Func<CancellationToken, IAsyncEnumerable<KeyValuePair<TKey, TValue>>> load)
    {
        Name = name;
        Load = load;
    }

    internal LookupTable(string name, Func<CancellationToken, IAsyncEnumerable<LookupChange<TKey, TValue>>> changes)
    {
        Name = name;
        Changes = changes;
        Load = static _ => throw new InvalidOperationException("A table that follows a change stream is not loaded whole.");
    }

    /// <summary>Gets the table's name, shown in graphs and errors.</summary>
    public string Name { get; }

    /// <summary>Gets the loader: every call yields the whole table; when a key comes twice, its last row wins.</summary>
    internal Func<CancellationToken, IAsyncEnumerable<KeyValuePair<TKey, TValue>>> Load { get; }

    /// <summary>Gets the change stream of a table that follows one (<see cref="LookupTable.FromChanges{TKey, TValue}"/>), or <see langword="null"/>.</summary>
    internal Func<CancellationToken, IAsyncEnumerable<LookupChange<TKey, TValue>>>? Changes { get; }
}

/// <summary>Creates <see cref="LookupTable{TKey, TValue}"/> descriptions.</summary>
public static class LookupTable
{
    /// <summary>
    /// A table whose rows come from a query: every load calls <paramref name="query"/> and reads what it yields (e.g. an
    /// Npgsql command's reader). A key that comes twice keeps its last row.
    /// </summary>
    /// <typeparam name="TRow">The row type the query yields.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="query">Runs the query. MUST honour its cancellation token; is called at most once at a time per run.</param>
    /// <param name="keySelector">Picks a row's key. MUST NOT throw.</param>
    /// <param name="valueSelector">Picks a row's value; the value MUST NOT refer to memory the query reuses.</param>
    /// <param name="name">The name in graphs and errors; <see langword="null"/> uses <c>query</c>.</param>
    /// <returns>The table.</returns>
    public static LookupTable<TKey, TValue> FromQuery<TRow, TKey, TValue>(
        Func<CancellationToken, IAsyncEnumerable<TRow>> query,
        Func<TRow, TKey> keySelector,
        Func<TRow, TValue> valueSelector,
        string? name = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(valueSelector);
        return new LookupTable<TKey, TValue>(name ?? "query", ct => Rows(query(ct), keySelector, valueSelector, ct));
    }

    /// <summary>
    /// A table read from a source connector to its end on every load: a JSON-lines file (<see cref="Connectors.Files.JsonLinesSource"/>
    /// without <c>Follow</c>), a CSV file, any finite source. The source is opened and closed by each load and never
    /// committed to. A key that comes twice keeps its last row (the reading of a compacted topic).
    /// </summary>
    /// <typeparam name="TRow">The source's record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="source">A finite source; MUST NOT be used by a running pipeline at the same time.</param>
    /// <param name="keySelector">Picks a row's key. MUST NOT throw.</param>
    /// <param name="valueSelector">Picks a row's value (copy what you keep out of the record's bytes).</param>
    /// <returns>The table.</returns>
    public static LookupTable<TKey, TValue> FromSource<TRow, TKey, TValue>(
        SourceConnector<TRow> source,
        Func<TRow, TKey> keySelector,
        Func<TRow, TValue> valueSelector)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(valueSelector);
        return new LookupTable<TKey, TValue>(source.Name, ct => Read(source, keySelector, valueSelector, ct));
    }

    /// <summary>
    /// A table that follows a change stream: each run opens <paramref name="changes"/> once, builds the table from the
    /// changes up to the first <see cref="LookupChangeKind.Synced"/> marker (the first batch waits for it), then applies
    /// every further change live, between two batches, so a batch is joined against one version whole. Deletes remove
    /// keys (tombstones). The table is counted against <see cref="LookupJoinOptions.StateBudgetBytes"/> as it changes (whole:
    /// it is never held twice); passing it fails the run with <see cref="JoinStateFullException"/>. A stream that fails
    /// fails the run; one that ends keeps its last table. <see cref="LookupJoinOptions.RefreshInterval"/> must be unset.
    /// A compacted Kafka topic is one such stream (DataWeaver.Kafka's <c>KafkaLookupTable.FromCompactedTopic</c>).
    /// </summary>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The value type.</typeparam>
    /// <param name="changes">Opens the change stream. MUST honour its cancellation token (the run's end).</param>
    /// <param name="name">The name in graphs and errors.</param>
    /// <returns>The table.</returns>
    public static LookupTable<TKey, TValue> FromChanges<TKey, TValue>(
        Func<CancellationToken, IAsyncEnumerable<LookupChange<TKey, TValue>>> changes,
        string name)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(changes);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return new LookupTable<TKey, TValue>(name, changes);
    }

    private static async IAsyncEnumerable<KeyValuePair<TKey, TValue>> Rows<TRow, TKey, TValue>(
        IAsyncEnumerable<TRow> rows, Func<TRow, TKey> key, Func<TRow, TValue> value, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var row in rows.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return new(key(row), value(row));
        }
    }

    private static async IAsyncEnumerable<KeyValuePair<TKey, TValue>> Read<TRow, TKey, TValue>(
        SourceConnector<TRow> source, Func<TRow, TKey> key, Func<TRow, TValue> value, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await source.OpenAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await foreach (var row in source.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return new(key(row), value(row));
            }
        }
        finally
        {
            await source.CloseAsync(CancellationToken.None).ConfigureAwait(false);
        }
    }
}
