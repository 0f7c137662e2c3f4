using System.Globalization;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines;

namespace DataWeaver.Windowing.Internal;

/// <summary>A window stage as the builder recorded it.</summary>
internal sealed class WindowDefinition<T, TKey, TAcc, TResult, TAgg, TOut>(
    Func<T, TKey> keySelector,
    Func<T, DateTimeOffset>? eventTime,
    TAgg aggregator,
    Func<TKey, DateTimeOffset, DateTimeOffset, TResult, WindowEmission, TOut> output,
    WindowOptions options)
    : OwnBlockBoundary<T, TOut>("window", options.Name, options.Capacity)
    where TKey : notnull
    where TAgg : IWindowAggregator<T, TAcc, TResult>
{
    private static readonly TimeSpan s_maxSpan = TimeSpan.FromDays(366);

    public WindowOptions WindowOptions { get; } = options;

    public override string Describe()
    {
        var o = WindowOptions;
        var shape = o.Kind switch
        {
            WindowKind.Tumbling => string.Create(CultureInfo.InvariantCulture, $"tumbling({o.Size.TotalSeconds} s"),
            WindowKind.Hopping => string.Create(CultureInfo.InvariantCulture, $"hopping({o.Size.TotalSeconds} s every {(o.Hop ?? o.Size).TotalSeconds} s"),
            _ => string.Create(CultureInfo.InvariantCulture, $"session(gap {o.Gap.TotalSeconds} s"),
        };
        return eventTime is null
            ? shape + ", processing time)"
            : string.Create(CultureInfo.InvariantCulture, $"{shape}, event time, out-of-orderness {o.MaxOutOfOrderness.TotalSeconds} s, lateness {o.AllowedLateness.TotalSeconds} s)");
    }

    public override BatchTarget<T> Instantiate(BatchTarget<TOut> next, int boundedCapacity, RunContext run, BlockCounters? counters) =>
        new WindowNode<T, TKey, TAcc, TResult, TAgg, TOut>(
            DisplayName, keySelector, eventTime, aggregator, output, WindowSettings.From(WindowOptions, eventTime is not null),
            Policy ?? run.Options.ErrorPolicy, boundedCapacity, next, run, counters, WindowOptions.StateStore).Input;

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        foreach (var error in base.Validate(options))
        {
            yield return error;
        }

        var o = WindowOptions;
        if (o.Size < TimeSpan.FromMilliseconds(1) || o.Size > s_maxSpan)
        {
            yield return $"Stage '{DisplayName}': window Size must be from 1 ms to 366 days (was {o.Size}).";
        }

        if (o.Hop is { } hop && (hop < TimeSpan.FromMilliseconds(1) || hop > o.Size || o.Size.Ticks / hop.Ticks > 1_000))
        {
            yield return $"Stage '{DisplayName}': window Hop must be from 1 ms to Size, with at most 1,000 windows per record (was {hop} for Size {o.Size}).";
        }

        if (o.Gap < TimeSpan.FromMilliseconds(1) || o.Gap > s_maxSpan)
        {
            yield return $"Stage '{DisplayName}': session Gap must be from 1 ms to 366 days (was {o.Gap}).";
        }

        if (o.MaxOutOfOrderness < TimeSpan.Zero || o.MaxOutOfOrderness > s_maxSpan)
        {
            yield return $"Stage '{DisplayName}': MaxOutOfOrderness must be from 0 to 366 days (was {o.MaxOutOfOrderness}).";
        }

        if (o.AllowedLateness < TimeSpan.Zero || o.AllowedLateness > s_maxSpan)
        {
            yield return $"Stage '{DisplayName}': AllowedLateness must be from 0 to 366 days (was {o.AllowedLateness}).";
        }

        if (o.StateBudgetBytes is < 64 * 1024 or > 1L << 40)
        {
            yield return $"Stage '{DisplayName}': StateBudgetBytes must be from 64 KiB to 1 TiB (was {o.StateBudgetBytes}).";
        }

        if (o.MaxKeys is < 1 or > TumblingWindowOptions.MaxKeysLimit)
        {
            yield return $"Stage '{DisplayName}': MaxKeys must be from 1 to {TumblingWindowOptions.MaxKeysLimit} (was {o.MaxKeys}).";
        }

        if (o.ApproximateDistinctPrecision is < HyperLogLogSketch.MinPrecision or > HyperLogLogSketch.MaxPrecision)
        {
            yield return $"Stage '{DisplayName}': ApproximateDistinctPrecision must be from {HyperLogLogSketch.MinPrecision} to {HyperLogLogSketch.MaxPrecision} (was {o.ApproximateDistinctPrecision}).";
        }

        if (o.EarlyResultEvery is < 1 or > 100_000_000)
        {
            yield return $"Stage '{DisplayName}': EarlyResultEvery must be from 1 to 100,000,000 (was {o.EarlyResultEvery}).";
        }

        if (o.EarlyResultInterval is { } early && (early < TimeSpan.FromMilliseconds(1) || early > TimeSpan.FromDays(1)))
        {
            yield return $"Stage '{DisplayName}': EarlyResultInterval must be from 1 ms to 1 day (was {early}).";
        }

        if ((o.EarlyResultEvery is not null || o.EarlyResultInterval is not null) && o.Kind == WindowKind.Session)
        {
            yield return $"Stage '{DisplayName}': early results are not available for session windows (tumbling and hopping only).";
        }

        if (o.CheckpointState && o.Kind == WindowKind.Session)
        {
            yield return $"Stage '{DisplayName}': CheckpointState is not available for session windows (tumbling and hopping only).";
        }

        if (o.CheckpointState && WindowStateCodec<TKey, TAcc>.For(aggregator) is null)
        {
            yield return $"Stage '{DisplayName}': CheckpointState needs the built-in aggregates or an aggregator implementing IWindowAccumulatorCodec<{typeof(TAcc).Name}>, and a key of type string, long or int (was {typeof(TKey).Name} with {aggregator!.GetType().Name}).";
        }

        if (o.SnapshotInterval < TimeSpan.Zero || o.SnapshotInterval > TimeSpan.FromHours(1))
        {
            yield return $"Stage '{DisplayName}': SnapshotInterval must be from 0 to 1 hour (was {o.SnapshotInterval}).";
        }

        if (o.CollectLimit is < 0 or > WindowOptions.MaxCollectLimit)
        {
            yield return $"Stage '{DisplayName}': CollectLimit must be from 0 to {WindowOptions.MaxCollectLimit} (was {o.CollectLimit}).";
        }

        foreach (var error in ValidateSpill(o))
        {
            yield return error;
        }
    }

    private IEnumerable<string> ValidateSpill(WindowOptions o)
    {
        if (o.SpillMaxBytes is < 64 * 1024 or > 1L << 50)
        {
            yield return $"Stage '{DisplayName}': SpillMaxBytes must be from 64 KiB to 1 PiB (was {o.SpillMaxBytes}).";
        }

        if (o.SpillDirectory is null)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(o.SpillDirectory))
        {
            yield return $"Stage '{DisplayName}': SpillDirectory must name a directory (or be null: no spill).";
        }

        if (o.Kind == WindowKind.Session)
        {
            yield return $"Stage '{DisplayName}': SpillDirectory is not available for session windows (tumbling and hopping only).";
        }

        if (o.AllowedLateness > TimeSpan.Zero)
        {
            yield return $"Stage '{DisplayName}': SpillDirectory does not combine with AllowedLateness yet (a late update would need the spilled aggregate).";
        }

        if (o.EarlyResultEvery is not null || o.EarlyResultInterval is not null)
        {
            yield return $"Stage '{DisplayName}': SpillDirectory does not combine with early results yet.";
        }

        if (o.CheckpointState)
        {
            yield return $"Stage '{DisplayName}': SpillDirectory does not combine with CheckpointState yet (set one of them).";
        }

        if (!WindowStateCodec<TKey, TAcc>.KeySupported)
        {
            yield return $"Stage '{DisplayName}': SpillDirectory needs a key of type string, long or int (was {typeof(TKey).Name}).";
        }
        else if (WindowStateCodec<TKey, TAcc>.For(aggregator) is null)
        {
            yield return $"Stage '{DisplayName}': SpillDirectory needs an aggregator that can write its accumulators: {aggregator!.GetType().Name} does not implement IWindowAccumulatorCodec<{typeof(TAcc).Name}>.";
        }
    }
}
