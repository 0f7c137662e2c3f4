using System.Globalization;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines;

namespace DataWeaver.Joins.Internal;

/// <summary>A lookup join as the builder recorded it.</summary>
internal sealed class LookupJoinDefinition<T, TKey, TValue, TOut>(
    LookupTable<TKey, TValue> table,
    Func<T, TKey> keySelector,
    Func<T, TValue?, TOut> resultSelector,
    LookupJoinOptions options)
    : OwnBlockBoundary<T, TOut>("lookup", options.Name, options.Capacity)
    where TKey : notnull
{
    public LookupJoinOptions JoinOptions { get; } = options;

    public override string Describe() => JoinOptions.RefreshInterval is { } every
        ? string.Create(CultureInfo.InvariantCulture, $"lookup({table.Name}, refresh {every.TotalSeconds} s, missing: {JoinOptions.OnMissing})")
        : string.Create(CultureInfo.InvariantCulture, $"lookup({table.Name}, missing: {JoinOptions.OnMissing})");

    public override BatchTarget<T> Instantiate(BatchTarget<TOut> next, int boundedCapacity, RunContext run, BlockCounters? counters) =>
        new LookupJoinNode<T, TKey, TValue, TOut>(
            DisplayName, table, keySelector, resultSelector, JoinOptions, Policy ?? run.Options.ErrorPolicy, boundedCapacity, next, run, counters).Input;

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        foreach (var error in base.Validate(options))
        {
            yield return error;
        }

        var o = JoinOptions;
        if (o.RefreshInterval is { } every && (every < TimeSpan.FromMilliseconds(1) || every > TimeSpan.FromDays(366)))
        {
            yield return $"Stage '{DisplayName}': RefreshInterval must be from 1 ms to 366 days (was {every}).";
        }

        if (o.RefreshInterval is not null && table.Changes is not null)
        {
            yield return $"Stage '{DisplayName}': table '{table.Name}' follows a change stream; RefreshInterval must be unset.";
        }

        if (o.StateBudgetBytes is < 64 * 1024 or > 1L << 40)
        {
            yield return $"Stage '{DisplayName}': StateBudgetBytes must be from 64 KiB to 1 TiB (was {o.StateBudgetBytes}).";
        }

        if (o.BytesPerEntry is < 1)
        {
            yield return $"Stage '{DisplayName}': BytesPerEntry must be at least 1 (was {o.BytesPerEntry}).";
        }

        if (!Enum.IsDefined(o.OnMissing))
        {
            yield return $"Stage '{DisplayName}': OnMissing must be PassThrough, Drop or DeadLetter (was {o.OnMissing}).";
        }
    }
}
