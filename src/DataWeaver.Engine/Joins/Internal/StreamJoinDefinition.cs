using System.Globalization;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines;

namespace DataWeaver.Joins.Internal;

/// <summary>A stream-stream join as the builder recorded it.</summary>
internal sealed class StreamJoinDefinition<T, TKey, TOut>(
    Func<T, bool> isLeft,
    Func<T, TKey> keySelector,
    Func<T, DateTimeOffset> eventTime,
    Func<T, T?, TOut> resultSelector,
    StreamJoinOptions options)
    : OwnBlockBoundary<T, TOut>("join", options.Name, options.Capacity)
    where TKey : notnull
{
    private static readonly TimeSpan s_maxSpan = TimeSpan.FromDays(366);

    public StreamJoinOptions JoinOptions { get; } = options;

    public override string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"join({JoinOptions.Kind}, within {JoinOptions.Window.TotalSeconds} s, out-of-orderness {JoinOptions.MaxOutOfOrderness.TotalSeconds} s)");

    public override BatchTarget<T> Instantiate(BatchTarget<TOut> next, int boundedCapacity, RunContext run, BlockCounters? counters) =>
        new StreamJoinNode<T, TKey, TOut>(
            DisplayName, isLeft, keySelector, eventTime, resultSelector, JoinOptions, Policy ?? run.Options.ErrorPolicy, boundedCapacity, next, run, counters).Input;

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        foreach (var error in base.Validate(options))
        {
            yield return error;
        }

        var o = JoinOptions;
        if (o.Window < TimeSpan.Zero || o.Window > s_maxSpan)
        {
            yield return $"Stage '{DisplayName}': Window must be from 0 to 366 days (was {o.Window}).";
        }

        if (o.MaxOutOfOrderness < TimeSpan.Zero || o.MaxOutOfOrderness > s_maxSpan)
        {
            yield return $"Stage '{DisplayName}': MaxOutOfOrderness must be from 0 to 366 days (was {o.MaxOutOfOrderness}).";
        }

        if (o.StateBudgetBytes is < 64 * 1024 or > 1L << 40)
        {
            yield return $"Stage '{DisplayName}': StateBudgetBytes must be from 64 KiB to 1 TiB (was {o.StateBudgetBytes}).";
        }

        if (!Enum.IsDefined(o.Kind))
        {
            yield return $"Stage '{DisplayName}': Kind must be Inner or Left (was {o.Kind}).";
        }
    }
}
