using DataWeaver.Joins;
using DataWeaver.Joins.Internal;

namespace DataWeaver.Pipelines;

/// <summary>Adds lookup joins (enrichment from a keyed table held in memory) to a pipeline.</summary>
public static class LookupJoinPipelineBuilderExtensions
{
    /// <summary>
    /// Joins each record with the entry of <paramref name="table"/> under the record's key, in a block of its own. The
    /// table is loaded when the run starts (the first batch waits for it) and, with
    /// <see cref="LookupJoinOptions.RefreshInterval"/>, again on that interval, replacing the current table in one step
    /// once loaded. A record whose key is missing is passed on, dropped or dead-lettered
    /// (<see cref="LookupJoinOptions.OnMissing"/>). The table is counted against <see cref="LookupJoinOptions.StateBudgetBytes"/>;
    /// a table past it fails the run with <see cref="JoinStateFullException"/>. A first load that throws fails the run.
    /// </summary>
    /// <typeparam name="T">The input record type.</typeparam>
    /// <typeparam name="TKey">The key type.</typeparam>
    /// <typeparam name="TValue">The table's value type.</typeparam>
    /// <typeparam name="TOut">The output record type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="table">Where the table comes from (<see cref="LookupTable"/>).</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw.</param>
    /// <param name="resultSelector">
    /// Joins a record with its table value: the value's default (<see langword="null"/>) when the key is missing and
    /// <see cref="LookupMissingKey.PassThrough"/> applies. MUST NOT throw.
    /// </param>
    /// <param name="options">Refresh, missing keys, budget, capacity and name; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder, now of <typeparamref name="TOut"/>.</returns>
    public static PipelineBuilder<TOut> LookupJoin<T, TKey, TValue, TOut>(
        this PipelineBuilder<T> builder,
        LookupTable<TKey, TValue> table,
        Func<T, TKey> keySelector,
        Func<T, TValue?, TOut> resultSelector,
        LookupJoinOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(keySelector);
        ArgumentNullException.ThrowIfNull(resultSelector);
        return builder.Then<TOut>(new LookupJoinDefinition<T, TKey, TValue, TOut>(table, keySelector, resultSelector, options ?? new LookupJoinOptions()));
    }
}
