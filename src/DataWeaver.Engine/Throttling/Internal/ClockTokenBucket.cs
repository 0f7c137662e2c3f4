using System.Diagnostics.CodeAnalysis;
using System.Threading.RateLimiting;

namespace DataWeaver.Throttling.Internal;

/// <summary>
/// A token bucket as a <see cref="ReplenishingRateLimiter"/> that gains exactly <c>tokensPerPeriod</c> tokens per call of
/// <see cref="TryReplenish"/>, which the throttle stage makes on the run's <see cref="TimeProvider"/>. The framework's
/// <see cref="TokenBucketRateLimiter"/> cannot serve here: even with <c>AutoReplenishment = false</c> its
/// <c>TryReplenish</c> adds tokens by the wall-clock time elapsed, so a fake clock never refills it. Queues at most one
/// waiter (the stage is serial). Thread-safe.
/// </summary>
internal sealed class ClockTokenBucket(int tokenLimit, int tokensPerPeriod, TimeSpan period) : ReplenishingRateLimiter
{
    private static readonly RateLimitLease s_acquired = new Lease(true);
    private static readonly RateLimitLease s_refused = new Lease(false);

    private readonly Lock _lock = new();
    private int _tokens = tokenLimit;
    private Waiter? _waiter;
    private long _successful;
    private long _failed;

    public int TokenLimit { get; } = tokenLimit;

    public override TimeSpan? IdleDuration => null;

    public override bool IsAutoReplenishing => false;

    public override TimeSpan ReplenishmentPeriod { get; } = period;

    /// <summary>Gets whether the bucket is full with nobody waiting: it then holds nothing a new bucket would not.</summary>
    public bool IsIdle
    {
        get
        {
            lock (_lock)
            {
                return _tokens >= TokenLimit && _waiter is null;
            }
        }
    }

    public override RateLimiterStatistics? GetStatistics()
    {
        lock (_lock)
        {
            return new RateLimiterStatistics
            {
                CurrentAvailablePermits = _tokens,
                CurrentQueuedCount = _waiter?.Count ?? 0,
                TotalSuccessfulLeases = _successful,
                TotalFailedLeases = _failed,
            };
        }
    }

    public override bool TryReplenish()
    {
        Waiter? ready = null;
        lock (_lock)
        {
            _tokens = (int)Math.Min(TokenLimit, (long)_tokens + tokensPerPeriod);
            if (_waiter is { } waiter && _tokens >= waiter.Count)
            {
                _tokens -= waiter.Count;
                _successful++;
                _waiter = null;
                ready = waiter;
            }
        }

        ready?.Complete(s_acquired);
        return true;
    }

    protected override RateLimitLease AttemptAcquireCore(int permitCount)
    {
        lock (_lock)
        {
            if (_waiter is null && _tokens >= permitCount)
            {
                _tokens -= permitCount;
                _successful++;
                return s_acquired;
            }

            _failed++;
            return s_refused;
        }
    }

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_lock)
        {
            if (_waiter is null && _tokens >= permitCount)
            {
                _tokens -= permitCount;
                _successful++;
                return new ValueTask<RateLimitLease>(s_acquired);
            }

            if (_waiter is not null || permitCount > TokenLimit)
            {
                _failed++;
                return new ValueTask<RateLimitLease>(s_refused);
            }

            waiter = new Waiter(permitCount);
            _waiter = waiter;
        }

        waiter.Registration = cancellationToken.Register(static state => ((ClockTokenBucket)state!).Cancel(), this);
        return new ValueTask<RateLimitLease>(waiter.Task);
    }

    protected override void Dispose(bool disposing)
    {
        Waiter? waiter;
        lock (_lock)
        {
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.Complete(s_refused);
        base.Dispose(disposing);
    }

    private void Cancel()
    {
        Waiter? waiter;
        lock (_lock)
        {
            waiter = _waiter;
            _waiter = null;
        }

        waiter?.Cancel();
    }

    private sealed class Waiter(int count) : TaskCompletionSource<RateLimitLease>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public int Count { get; } = count;

        public CancellationTokenRegistration Registration { get; set; }

        public void Complete(RateLimitLease lease)
        {
            Registration.Dispose();
            TrySetResult(lease);
        }

        public void Cancel() => TrySetCanceled();
    }

    private sealed class Lease(bool acquired) : RateLimitLease
    {
        public override bool IsAcquired { get; } = acquired;

        public override IEnumerable<string> MetadataNames => [];

        public override bool TryGetMetadata(string metadataName, [NotNullWhen(true)] out object? metadata)
        {
            metadata = null;
            return false;
        }
    }
}
