using System.Globalization;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines;

namespace DataWeaver.Deduplication.Internal;

/// <summary>A de-duplication stage as the builder recorded it.</summary>
internal sealed class DeduplicationDefinition<T, TKey>(Func<T, TKey> keySelector, DeduplicationOptions options)
    : OwnBlockBoundary<T, T>("dedup", options.Name, options.Capacity)
    where TKey : notnull
{
    public DeduplicationOptions DedupOptions { get; } = options;

    public override bool AcceptsErrorPolicy => false;

    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"dedup(ttl {DedupOptions.TimeToLive.TotalSeconds} s, max keys {DedupOptions.MaxKeys})");

    public override BatchTarget<T> Instantiate(BatchTarget<T> next, int boundedCapacity, RunContext run, BlockCounters? counters) =>
        new DeduplicationNode<T, TKey>(DisplayName, keySelector, DedupOptions, boundedCapacity, next, run, counters).Input;

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        foreach (var error in base.Validate(options))
        {
            yield return error;
        }

        if (DedupOptions.TimeToLive <= TimeSpan.Zero)
        {
            yield return $"Stage '{DisplayName}': TimeToLive must be positive (was {DedupOptions.TimeToLive}).";
        }

        if (DedupOptions.MaxKeys is < 1 or > DeduplicationOptions.MaxKeysLimit)
        {
            yield return $"Stage '{DisplayName}': MaxKeys must be from 1 to {DeduplicationOptions.MaxKeysLimit} (was {DedupOptions.MaxKeys}).";
        }
    }
}
