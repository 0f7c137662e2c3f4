using DataWeaver.Connectors;
using DataWeaver.Errors;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace DataWeaver.Pipelines.ErrorHandling;

/// <summary>
/// What a stage does when a record fails: retry transient errors (through a Polly resilience pipeline),
/// then dead-letter, skip or fail. Fatal errors always fail the pipeline. Built with
/// <see cref="Create"/>, set on a stage with <see cref="PipelineBuilder{T}.OnError(ErrorPolicy)"/> or for the
/// whole pipeline with <see cref="PipelineOptions.ErrorPolicy"/>. Immutable.
/// </summary>
public sealed class ErrorPolicy
{
    internal ErrorPolicy(ErrorPolicyBuilder builder)
    {
        MaxAttempts = builder.MaxAttempts;
        RetryDelay = builder.RetryDelay;
        MaxRetryDelay = builder.MaxRetryDelay;
        AttemptTimeout = builder.AttemptTimeout;
        CircuitBreaker = builder.Breaker;
        CustomResilience = builder.CustomResilience;
        Action = builder.Action;
        DeadLetterSink = builder.DeadLetterSink;
    }

    /// <summary>Gets the policy of a pipeline that sets none: no retries, fail on the first error.</summary>
    public static ErrorPolicy FailFast { get; } = new ErrorPolicyBuilder().Build();

    /// <summary>Gets how many times a record (or a sink batch) is tried when its errors are transient, the first try included.</summary>
    /// <value>The default is 1: no retries.</value>
    public int MaxAttempts { get; }

    /// <summary>Gets the delay before the second retry; later ones double it (exponential backoff with jitter). The first retry follows at once.</summary>
    /// <value>The default is 100 ms.</value>
    public TimeSpan RetryDelay { get; }

    /// <summary>Gets the longest delay between retries.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan MaxRetryDelay { get; }

    /// <summary>Gets the time limit of one attempt of a sink write or of a <c>MapAsync</c> call; synchronous per-record transforms cannot be timed out.</summary>
    /// <value>The default is <see langword="null"/>: no limit.</value>
    public TimeSpan? AttemptTimeout { get; }

    /// <summary>
    /// Gets the circuit breaker options, if any: after too many transient failures, attempts fail at once for a while.
    /// One breaker per policy and run, shared by every worker and lane of the stages that use the policy; it sees every
    /// attempt of a sink write, and the retries (not the first tries) of a transform.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no circuit breaker.</value>
    public CircuitBreakerStrategyOptions? CircuitBreaker { get; }

    /// <summary>Gets a resilience pipeline given as it is, instead of the retry, timeout and breaker options.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public ResiliencePipeline? CustomResilience { get; }

    /// <summary>Gets what happens to a record with a data error, or whose transient errors outlasted the retries.</summary>
    /// <value>The default is <see cref="ErrorAction.Fail"/>.</value>
    public ErrorAction Action { get; }

    /// <summary>Gets the dead-letter sink, when <see cref="Action"/> is <see cref="ErrorAction.DeadLetter"/>.</summary>
    public SinkConnector<DeadLetter>? DeadLetterSink { get; }

    /// <summary>Starts describing a policy.</summary>
    /// <returns>The builder.</returns>
    public static ErrorPolicyBuilder Create() => new();

    /// <summary>Gets a value indicating whether the policy only fails (no retries, no dead letters, no skips): no error handling is needed.</summary>
    internal bool IsFailFast => Action == ErrorAction.Fail && MaxAttempts <= 1 && AttemptTimeout is null && CircuitBreaker is null && CustomResilience is null;

    /// <summary>
    /// Builds the resilience pipeline for transient errors; <see langword="null"/> when there is nothing to do.
    /// For sink writes (<paramref name="firstTryInside"/>) every attempt runs inside it, so timeouts and the breaker
    /// see them all; for per-record transforms only the retries do (the first try is the fused loop).
    /// </summary>
    internal ResiliencePipeline? CreateResilience(Func<Exception, ErrorClass> classify, TimeProvider time, bool firstTryInside)
    {
        if (CustomResilience is not null)
        {
            return CustomResilience;
        }

        var retries = MaxAttempts - 1;
        if (firstTryInside ? retries == 0 && AttemptTimeout is null && CircuitBreaker is null : retries == 0)
        {
            return null;
        }

        var transient = new PredicateBuilder().Handle<Exception>(e => classify(e) == ErrorClass.Transient);
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        var pipelineRetries = firstTryInside ? retries : retries - 1;
        if (pipelineRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = pipelineRetries,
                Delay = RetryDelay,
                MaxDelay = MaxRetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = transient,
            });
        }

        if (CircuitBreaker is { } breaker)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                FailureRatio = breaker.FailureRatio,
                SamplingDuration = breaker.SamplingDuration,
                MinimumThroughput = breaker.MinimumThroughput,
                BreakDuration = breaker.BreakDuration,
                ShouldHandle = transient,
            });
        }

        if (AttemptTimeout is { } timeout && firstTryInside)
        {
            builder.AddTimeout(new TimeoutStrategyOptions { Timeout = timeout });
        }

        return builder.Build();
    }

    /// <summary>Classifies an error: DataWeaver's own class, then the pipeline's classifier, then known transient types, then the default.</summary>
    internal static ErrorClass Classify(Exception exception, PipelineOptions options) => exception switch
    {
        DataWeaverException own => own.ErrorClass,
        _ when options.ClassifyError?.Invoke(exception) is { } chosen => chosen,
        TimeoutException or TimeoutRejectedException or BrokenCircuitException => ErrorClass.Transient,
        _ => options.UnknownErrorClass,
    };
}
