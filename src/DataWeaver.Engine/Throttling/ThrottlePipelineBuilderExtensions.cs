using DataWeaver.Throttling;
using DataWeaver.Throttling.Internal;

namespace DataWeaver.Pipelines;

/// <summary>Adds rate limits (throttling) to a pipeline.</summary>
public static class ThrottlePipelineBuilderExtensions
{
    /// <summary>
    /// Lets records through at most at the rate of one token bucket for the whole pipeline, in a block of its own:
    /// <see cref="ThrottleOptions.PermitsPerPeriod"/> every <see cref="ThrottleOptions.Period"/>, bursts up to
    /// <see cref="ThrottleOptions.Burst"/>. By default a record without a permit waits (backpressure: the source slows
    /// down, nothing is dropped); with <see cref="ThrottleLimitAction.Drop"/> it is dropped and counted. Order is kept.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="options">Rate, burst, what happens at the limit, capacity and name; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder<T> Throttle<T>(this PipelineBuilder<T> builder, ThrottleOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return builder.Then<T>(new ThrottleDefinition<T, bool>(keySelector: null, options ?? new ThrottleOptions()));
    }

    /// <summary>
    /// Lets records through at most at the rate of one token bucket per key, in a block of its own (see
    /// <see cref="Throttle{T}(PipelineBuilder{T}, ThrottleOptions?)"/>). Order is kept: with
    /// <see cref="ThrottleLimitAction.Wait"/>, a record of a key over its rate holds back the records behind it, whatever
    /// their key. A key's bucket is forgotten once it is full again (it holds nothing a new bucket would not), so the
    /// state holds only keys that used permits within about <c>Burst / PermitsPerPeriod</c> periods.
    /// </summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <typeparam name="TKey">The key type; equal keys by <see cref="EqualityComparer{T}.Default"/>.</typeparam>
    /// <param name="builder">The pipeline so far.</param>
    /// <param name="keySelector">Picks a record's key. MUST NOT throw; the key MUST NOT refer to pooled payload memory.</param>
    /// <param name="options">Rate, burst, what happens at the limit, capacity and name; <see langword="null"/> uses the defaults.</param>
    /// <returns>The builder.</returns>
    public static PipelineBuilder<T> Throttle<T, TKey>(this PipelineBuilder<T> builder, Func<T, TKey> keySelector, ThrottleOptions? options = null)
        where TKey : notnull
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(keySelector);
        return builder.Then<T>(new ThrottleDefinition<T, TKey>(keySelector, options ?? new ThrottleOptions()));
    }
}
