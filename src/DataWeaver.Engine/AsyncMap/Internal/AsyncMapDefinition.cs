using System.Globalization;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines;

namespace DataWeaver.AsyncMap.Internal;

/// <summary>An asynchronous map as the builder recorded it.</summary>
internal sealed class AsyncMapDefinition<TIn, TOut>(Func<TIn, CancellationToken, ValueTask<TOut>> selector, AsyncMapOptions options)
    : OwnBlockBoundary<TIn, TOut>("mapAsync", options.Name, options.Capacity)
{
    public AsyncMapOptions MapOptions { get; } = options;

    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"mapAsync(concurrency {MapOptions.MaxConcurrency}, {(MapOptions.PreserveOrder ? "ordered" : "unordered")})");

    public override BatchTarget<TIn> Instantiate(BatchTarget<TOut> next, int boundedCapacity, RunContext run, BlockCounters? counters) =>
        new AsyncMapNode<TIn, TOut>(DisplayName, selector, MapOptions, Policy ?? run.Options.ErrorPolicy, boundedCapacity, next, run, counters).Input;

    public override IEnumerable<string> Validate(PipelineOptions options)
    {
        foreach (var error in base.Validate(options))
        {
            yield return error;
        }

        if (MapOptions.MaxConcurrency is < 1 or > AsyncMapOptions.MaxConcurrencyLimit)
        {
            yield return $"Stage '{DisplayName}': MaxConcurrency must be from 1 to {AsyncMapOptions.MaxConcurrencyLimit} (was {MapOptions.MaxConcurrency}).";
        }
    }
}
