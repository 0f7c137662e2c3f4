namespace DataWeaver.Throttling;

/// <summary>What a throttle stage does with a record that finds no permit.</summary>
public enum ThrottleLimitAction
{
    /// <summary>The stage waits for the next permit (backpressure: the source slows to the rate). Nothing is dropped.</summary>
    Wait,

    /// <summary>
    /// The record is dropped and counts as handled: in <see cref="Pipelines.PipelineStatistics.RecordsSkipped"/> and the
    /// stage's <c>skipped</c> metric.
    /// </summary>
    Drop,
}

/// <summary>
/// Options of a throttle stage (<see cref="Pipelines.ThrottlePipelineBuilderExtensions.Throttle{T}(Pipelines.PipelineBuilder{T}, ThrottleOptions?)"/>):
/// a token bucket (a <see cref="System.Threading.RateLimiting.ReplenishingRateLimiter"/>) refilled by
/// <see cref="PermitsPerPeriod"/> every <see cref="Period"/> on <see cref="Pipelines.PipelineOptions.TimeProvider"/>,
/// holding at most <see cref="Burst"/> permits. Copied when the stage is added.
/// </summary>
public sealed record ThrottleOptions
{
    /// <summary>Gets how many permits (records) the bucket gains every <see cref="Period"/>.</summary>
    /// <value>The default is 1,000; at least 1.</value>
    public int PermitsPerPeriod { get; init; } = 1_000;

    /// <summary>Gets how often the bucket gains <see cref="PermitsPerPeriod"/> permits.</summary>
    /// <value>The default is 1 second; from 1 ms to 1 day.</value>
    public TimeSpan Period { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets how many permits the bucket holds at most (and holds when the run starts, or when a key is first seen).</summary>
    /// <value>The default is <see langword="null"/>: <see cref="PermitsPerPeriod"/>. At least 1.</value>
    public int? Burst { get; init; }

    /// <summary>Gets what happens to a record that finds no permit.</summary>
    /// <value>The default is <see cref="ThrottleLimitAction.Wait"/>: backpressure, nothing dropped.</value>
    public ThrottleLimitAction OnLimit { get; init; } = ThrottleLimitAction.Wait;

    /// <summary>Gets how many records may wait at the stage's input.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="Pipelines.PipelineOptions.DefaultStageCapacity"/>. At least 1.</value>
    public int? Capacity { get; init; }

    /// <summary>Gets the stage name shown in graphs and errors.</summary>
    /// <value>The default is <see langword="null"/>: <c>throttle</c> and the stage's position.</value>
    public string? Name { get; init; }
}
