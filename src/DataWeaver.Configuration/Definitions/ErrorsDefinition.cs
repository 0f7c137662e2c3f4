using DataWeaver.Errors;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Configuration;

/// <summary>The error policy of a pipeline (<c>errors:</c>): retries of transient errors, then dead-letter, skip or fail. Immutable.</summary>
public sealed record ErrorsDefinition
{
    /// <summary>Gets the retry settings.</summary>
    /// <value>The default is one try, no retries.</value>
    public RetryDefinition Retry { get; init; } = new();

    /// <summary>Gets the circuit breaker settings.</summary>
    /// <value>The default is <see langword="null"/>: no circuit breaker.</value>
    public CircuitBreakerDefinition? CircuitBreaker { get; init; }

    /// <summary>Gets what happens to a record whose error is a data error, or whose retries ran out.</summary>
    /// <value>The default is <see cref="ErrorAction.DeadLetter"/> when <see cref="DeadLetter"/> is set, else <see cref="ErrorAction.Fail"/>.</value>
    public ErrorAction OnFailure { get; init; } = ErrorAction.Fail;

    /// <summary>Gets the dead-letter target.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public ConnectorDefinition? DeadLetter { get; init; }

    /// <summary>Gets the class of exceptions that nothing classifies (a connector's own exceptions, a bug in a code transform).</summary>
    /// <value>The default is <see cref="ErrorClass.Fatal"/>.</value>
    public ErrorClass UnknownErrors { get; init; } = ErrorClass.Fatal;
}

/// <summary>Retries of transient errors (<c>errors.retry:</c>). Immutable.</summary>
public sealed record RetryDefinition
{
    /// <summary>Gets how many times a record or sink batch is tried, the first try included.</summary>
    /// <value>The default is 1: no retries. From 1 to 100.</value>
    public int Attempts { get; init; } = 1;

    /// <summary>Gets the delay before the second retry; later ones double it, with jitter (the first retry follows at once).</summary>
    /// <value>The default is 100 ms.</value>
    public TimeSpan Backoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets the longest delay between retries.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the time limit of one attempt of a sink write.</summary>
    /// <value>The default is <see langword="null"/>: no limit.</value>
    public TimeSpan? Timeout { get; init; }
}

/// <summary>A circuit breaker over transient errors (<c>errors.circuitBreaker:</c>). Immutable.</summary>
public sealed record CircuitBreakerDefinition
{
    /// <summary>Gets the failure ratio that opens the circuit.</summary>
    /// <value>The default is 0.5; above 0, at most 1.</value>
    public double FailureRatio { get; init; } = 0.5;

    /// <summary>Gets how many attempts a sampling period needs before the ratio counts.</summary>
    /// <value>The default is 100; at least 2.</value>
    public int MinimumThroughput { get; init; } = 100;

    /// <summary>Gets the sampling period.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan SamplingDuration { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how long the circuit stays open.</summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan BreakDuration { get; init; } = TimeSpan.FromSeconds(5);
}
