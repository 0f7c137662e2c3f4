using System.Globalization;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines;

namespace DataWeaver.Windowing.Internal;

/// <summary>A tumbling window stage as the builder recorded it.</summary>
internal sealed class WindowDefinition<T, TKey>(Func<T, TKey> keySelector, Func<T, double> valueSelector, Func<T, DateTimeOffset>? eventTime, TumblingWindowOptions options)
    : OwnBlockBoundary<T, WindowResult<TKey>>("window", options.Name, options.Capacity)
    where TKey : notnull
{
    private static readonly TimeSpan s_maxSize = TimeSpan.FromDays(366);

    public TumblingWindowOptions WindowOptions { get; } = options;

    public override string Describe() => eventTime is null
        ? string.Create(CultureInfo.InvariantCulture, $"tumbling({WindowOptions.Size.TotalSeconds} s, processing time)")
        : string.Create(CultureInfo.InvariantCulture, $"tumbling({WindowOptions.Size.TotalSeconds} s, event time, out-of-orderness {WindowOptions.MaxOutOfOrderness.TotalSeconds} s)");

    public override BatchTarget<T> Instantiate(BatchTarget<WindowResult<TKey>> next, int boundedCapacity, RunContext run, BlockCounters? counters) =>
        new WindowNode<T, TKey>(DisplayName, keySelector, valueSelector, eventTime, WindowOptions, Policy ?? run.Options.ErrorPolicy, boundedCapacity, next, run, counters).Input;

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        foreach (var error in base.Validate(options))
        {
            yield return error;
        }

        if (WindowOptions.Size < TimeSpan.FromMilliseconds(1) || WindowOptions.Size > s_maxSize)
        {
            yield return $"Stage '{DisplayName}': window Size must be from 1 ms to 366 days (was {WindowOptions.Size}).";
        }

        if (WindowOptions.MaxOutOfOrderness < TimeSpan.Zero)
        {
            yield return $"Stage '{DisplayName}': MaxOutOfOrderness must not be negative (was {WindowOptions.MaxOutOfOrderness}).";
        }

        if (WindowOptions.MaxKeys is < 1 or > TumblingWindowOptions.MaxKeysLimit)
        {
            yield return $"Stage '{DisplayName}': MaxKeys must be from 1 to {TumblingWindowOptions.MaxKeysLimit} (was {WindowOptions.MaxKeys}).";
        }
    }
}
