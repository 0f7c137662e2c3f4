using DataWeaver.Connectors;
using Polly;
using Polly.CircuitBreaker;

namespace DataWeaver.Pipelines.ErrorHandling;

/// <summary>Describes an <see cref="ErrorPolicy"/>. Each method validates its arguments at once.</summary>
public sealed class ErrorPolicyBuilder
{
    internal ErrorPolicyBuilder()
    {
    }

    internal int MaxAttempts { get; private set; } = 1;

    internal TimeSpan RetryDelay { get; private set; } = TimeSpan.FromMilliseconds(100);

    internal TimeSpan MaxRetryDelay { get; private set; } = TimeSpan.FromSeconds(30);

    internal TimeSpan? AttemptTimeout { get; private set; }

    internal CircuitBreakerStrategyOptions? Breaker { get; private set; }

    internal ResiliencePipeline? CustomResilience { get; private set; }

    internal ErrorAction Action { get; private set; } = ErrorAction.Fail;

    internal SinkConnector<DeadLetter>? DeadLetterSink { get; private set; }

    /// <summary>Tries a record (or sink batch) with transient errors up to <paramref name="maxAttempts"/> times.</summary>
    /// <param name="maxAttempts">Tries in all, the first included; from 1 to 100.</param>
    /// <param name="delay">The delay before the second retry, doubled for each later one, with jitter; the first retry follows at once. The default is 100 ms.</param>
    /// <param name="maxDelay">The longest delay; the default is 30 seconds.</param>
    /// <returns>This builder.</returns>
    public ErrorPolicyBuilder Retry(int maxAttempts, TimeSpan? delay = null, TimeSpan? maxDelay = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxAttempts, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(maxAttempts, 100);
        if (delay is { } d)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(d, TimeSpan.Zero, nameof(delay));
            RetryDelay = d;
        }

        if (maxDelay is { } m)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(m, RetryDelay, nameof(maxDelay));
            MaxRetryDelay = m;
        }

        MaxAttempts = maxAttempts;
        return this;
    }

    /// <summary>Limits each attempt of a sink write or of a <c>MapAsync</c> call to <paramref name="timeout"/>; a timed-out attempt is a transient error.</summary>
    /// <param name="timeout">The limit; positive.</param>
    /// <returns>This builder.</returns>
    public ErrorPolicyBuilder Timeout(TimeSpan timeout)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero);
        AttemptTimeout = timeout;
        return this;
    }

    /// <summary>Opens a circuit after too many transient failures: while open, attempts fail at once (transiently) for <paramref name="breakDuration"/>.</summary>
    /// <param name="failureRatio">The failure ratio that opens the circuit, above 0 and at most 1; the default is 0.5.</param>
    /// <param name="minimumThroughput">How many attempts a sampling period needs before the ratio counts; at least 2, the default is 100.</param>
    /// <param name="samplingDuration">The sampling period; the default is 30 seconds.</param>
    /// <param name="breakDuration">How long the circuit stays open; the default is 5 seconds.</param>
    /// <returns>This builder.</returns>
    public ErrorPolicyBuilder CircuitBreaker(double failureRatio = 0.5, int minimumThroughput = 100, TimeSpan? samplingDuration = null, TimeSpan? breakDuration = null)
    {
        Breaker = new CircuitBreakerStrategyOptions
        {
            FailureRatio = failureRatio,
            MinimumThroughput = minimumThroughput,
            SamplingDuration = samplingDuration ?? TimeSpan.FromSeconds(30),
            BreakDuration = breakDuration ?? TimeSpan.FromSeconds(5),
        };
        if (failureRatio is <= 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(failureRatio), failureRatio, "The failure ratio must be above 0 and at most 1.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(minimumThroughput, 2);
        return this;
    }

    /// <summary>Uses a resilience pipeline of your own for transient errors instead of the retry, timeout and breaker options.</summary>
    /// <param name="pipeline">The pipeline. Every attempt of a sink write runs inside it; for a per-record transform its first call is the first retry (the first try is the block's loop).</param>
    /// <returns>This builder.</returns>
    public ErrorPolicyBuilder Resilience(ResiliencePipeline pipeline)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        CustomResilience = pipeline;
        return this;
    }

    /// <summary>Sends records that fail (data errors, or transient ones past the retries) to <paramref name="sink"/> with their error.</summary>
    /// <param name="sink">The dead-letter sink; several stages may share one.</param>
    /// <returns>This builder.</returns>
    public ErrorPolicyBuilder DeadLetterTo(SinkConnector<DeadLetter> sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        DeadLetterSink = sink;
        Action = ErrorAction.DeadLetter;
        return this;
    }

    /// <summary>Drops records that fail (data errors, or transient ones past the retries), counting them.</summary>
    /// <returns>This builder.</returns>
    public ErrorPolicyBuilder Skip()
    {
        DeadLetterSink = null;
        Action = ErrorAction.Skip;
        return this;
    }

    /// <summary>Stops the pipeline on a record that fails (the default).</summary>
    /// <returns>This builder.</returns>
    public ErrorPolicyBuilder Fail()
    {
        DeadLetterSink = null;
        Action = ErrorAction.Fail;
        return this;
    }

    /// <summary>Builds the policy.</summary>
    /// <returns>The immutable policy.</returns>
    public ErrorPolicy Build() => new(this);
}
