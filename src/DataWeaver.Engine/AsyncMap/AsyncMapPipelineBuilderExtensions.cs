using DataWeaver.AsyncMap;
using DataWeaver.AsyncMap.Internal;

namespace DataWeaver.Pipelines;

/// <summary>Adds asynchronous maps (enrichment calls to a database or a service) to a pipeline.</summary>
public static class AsyncMapPipelineBuilderExtensions
{
    /// <summary>
    /// Transforms each record with an asynchronous call, running up to <see cref="AsyncMapOptions.MaxConcurrency"/>
    /// calls at once, in a block of its own. Records leave in input order unless
    /// <see cref="AsyncMapOptions.PreserveOrder"/> is <see langword="false"/>. A call that throws goes to the stage's
    /// error policy (<see cref="PipelineBuilder{T}.OnError(ErrorHandling.ErrorPolicy)"/>): transient errors are retried
    /// (every attempt within <see cref="ErrorHandling.ErrorPolicy.AttemptTimeout"/> when one is set), then the record is
    /// dead-lettered, skipped or fails the pipeline. Backpressure holds: when the calls are slow, the stage stops taking
    /// batches, and the source stops reading. The call MUST honour its cancellation token (the pipeline's abort) and
    /// MUST be thread-safe.
    /// </summary>
    /// <typeparam name="T">The input record type.</typeparam>
    /// <typeparam name="TOut">The output record type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="selector">The call.</param>
    /// <param name="options">Concurrency, ordering, capacity and name; <see langword="null"/> uses <see cref="AsyncMapOptions.Default"/>.</param>
    /// <returns>The builder, now of <typeparamref name="TOut"/>.</returns>
    public static PipelineBuilder<TOut> MapAsync<T, TOut>(
        this PipelineBuilder<T> builder,
        Func<T, CancellationToken, ValueTask<TOut>> selector,
        AsyncMapOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(selector);
        return builder.Then<TOut>(new AsyncMapDefinition<T, TOut>(selector, options ?? AsyncMapOptions.Default));
    }
}
