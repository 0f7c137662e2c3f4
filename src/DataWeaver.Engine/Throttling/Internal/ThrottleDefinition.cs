using System.Globalization;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines;

namespace DataWeaver.Throttling.Internal;

/// <summary>A throttle stage as the builder recorded it; no key selector means one bucket for the pipeline.</summary>
internal sealed class ThrottleDefinition<T, TKey>(Func<T, TKey>? keySelector, ThrottleOptions options)
    : OwnBlockBoundary<T, T>("throttle", options.Name, options.Capacity)
    where TKey : notnull
{
    public ThrottleOptions ThrottleOptions { get; } = options;

    public override bool AcceptsErrorPolicy => false;

    public override string Describe() => string.Create(
        CultureInfo.InvariantCulture,
        $"throttle({ThrottleOptions.PermitsPerPeriod} per {ThrottleOptions.Period.TotalSeconds} s, burst {ThrottleOptions.Burst ?? ThrottleOptions.PermitsPerPeriod}{(keySelector is null ? string.Empty : ", per key")}, {ThrottleOptions.OnLimit})");

    public override BatchTarget<T> Instantiate(BatchTarget<T> next, int boundedCapacity, RunContext run, BlockCounters? counters) =>
        new ThrottleNode<T, TKey>(DisplayName, keySelector, ThrottleOptions, boundedCapacity, next, run, counters).Input;

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        foreach (var error in base.Validate(options))
        {
            yield return error;
        }

        var o = ThrottleOptions;
        if (o.PermitsPerPeriod < 1)
        {
            yield return $"Stage '{DisplayName}': PermitsPerPeriod must be at least 1 (was {o.PermitsPerPeriod}).";
        }

        if (o.Period < TimeSpan.FromMilliseconds(1) || o.Period > TimeSpan.FromDays(1))
        {
            yield return $"Stage '{DisplayName}': Period must be from 1 ms to 1 day (was {o.Period}).";
        }

        if (o.Burst is < 1)
        {
            yield return $"Stage '{DisplayName}': Burst must be at least 1 (was {o.Burst}).";
        }

        if (!Enum.IsDefined(o.OnLimit))
        {
            yield return $"Stage '{DisplayName}': OnLimit must be Wait or Drop (was {o.OnLimit}).";
        }
    }
}
