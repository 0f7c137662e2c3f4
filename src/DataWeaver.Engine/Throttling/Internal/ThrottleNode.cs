using System.Threading.RateLimiting;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;

namespace DataWeaver.Throttling.Internal;

/// <summary>
/// Takes one permit per record from a token bucket (one for the pipeline, or one per key), a
/// <see cref="ReplenishingRateLimiter"/> refilled by a timer on the run's clock (see <see cref="ClockTokenBucket"/>). A record
/// without a permit is dropped, or the stage first sends what already passed and then waits in the bucket's queue.
/// </summary>
internal sealed class ThrottleNode<T, TKey> : SerialNode<T, T>
    where TKey : notnull
{
    private readonly Func<T, TKey>? _keySelector;
    private readonly int _burst;
    private readonly int _perPeriod;
    private readonly TimeSpan _period;
    private readonly ClockTokenBucket? _global;
    private readonly Dictionary<TKey, ClockTokenBucket> _perKey = [];
    private readonly Lock _lock = new();
    private readonly ITimer _timer;
    private readonly bool _drop;

    public ThrottleNode(string name, Func<T, TKey>? keySelector, ThrottleOptions options, int boundedCapacity, BatchTarget<T> output, RunContext run, BlockCounters? counters)
        : base(name, boundedCapacity, output, run, counters, tickPeriod: null)
    {
        _keySelector = keySelector;
        _drop = options.OnLimit == ThrottleLimitAction.Drop;
        _burst = options.Burst ?? options.PermitsPerPeriod;
        _perPeriod = options.PermitsPerPeriod;
        _period = options.Period;
        _global = keySelector is null ? NewBucket() : null;

        // Not a tick of the serial node: the node may be waiting for a permit, and the refill must reach it.
        _timer = run.Options.TimeProvider.CreateTimer(static state => ((ThrottleNode<T, TKey>)state!).Replenish(), this, options.Period, options.Period);
        run.AbortToken.Register(static state => ((ThrottleNode<T, TKey>)state!)._timer.Dispose(), this);
    }

    /// <summary>Gets how many keys hold a bucket now (for tests).</summary>
    public int Keys
    {
        get
        {
            lock (_lock)
            {
                return _perKey.Count;
            }
        }
    }

    protected override async ValueTask OnBatchAsync(Batch<T> batch)
    {
        var items = batch.Items;
        var count = batch.Count;
        var kept = 0;
        var dropped = 0;
        var sent = false;
        for (var i = 0; i < count; i++)
        {
            var record = items[i];
            if (TryAcquire(record, out var limiter))
            {
                items[kept++] = record;
                continue;
            }

            if (_drop)
            {
                dropped++;
                continue;
            }

            // What passed goes on now, in order, before the stage waits for the next permit.
            if (kept > 0)
            {
                await SendChunkAsync(batch, kept, count).ConfigureAwait(false);
                sent = true;
                kept = 0;
            }

            using var lease = await WaitAsync(limiter).ConfigureAwait(false);
            if (!lease.IsAcquired)
            {
                throw new InvalidOperationException($"Throttle stage '{Name}' could not queue for a permit.");
            }

            items[kept++] = record;
        }

        if (dropped > 0)
        {
            Run.AddSkipped(dropped, Name);
        }

        Counters?.Pass(count);
        if (kept == 0)
        {
            batch.Release();
            return;
        }

        if (kept != count)
        {
            Array.Clear(items, kept, count - kept);
            batch.Bytes = batch.Bytes * kept / count;
            batch.Count = kept;
        }
        else if (sent)
        {
            batch.Bytes = batch.Bytes * kept / count;
        }

        await SendAsync(batch).ConfigureAwait(false);
    }

    protected override ValueTask OnEndAsync()
    {
        _timer.Dispose();
        return default;
    }

    private bool TryAcquire(T record, out ClockTokenBucket limiter)
    {
        if (_global is not null)
        {
            limiter = _global;
            using var globalLease = limiter.AttemptAcquire(1);
            return globalLease.IsAcquired;
        }

        var key = _keySelector!(record);
        lock (_lock)
        {
            if (!_perKey.TryGetValue(key, out limiter!))
            {
                limiter = NewBucket();
                _perKey.Add(key, limiter);
            }

            using var lease = limiter.AttemptAcquire(1);
            return lease.IsAcquired;
        }
    }

    private ValueTask<RateLimitLease> WaitAsync(ClockTokenBucket limiter)
    {
        // Queued under the lock: a bucket with a waiter is never forgotten by the refill.
        lock (_lock)
        {
            return limiter.AcquireAsync(1, Run.AbortToken);
        }
    }

    private ValueTask SendChunkAsync(Batch<T> batch, int kept, int count)
    {
        var chunk = Batch<T>.Rent(kept);
        for (var i = 0; i < kept; i++)
        {
            chunk.Add(batch.Items[i]);
        }

        chunk.Bytes = batch.Bytes * kept / count;
        batch.ShareResourcesWith(chunk);
        return SendAsync(chunk);
    }

    private ClockTokenBucket NewBucket() => new(_burst, _perPeriod, _period);

    private void Replenish()
    {
        if (_global is not null)
        {
            _global.TryReplenish();
            return;
        }

        lock (_lock)
        {
            foreach (var (key, limiter) in _perKey)
            {
                limiter.TryReplenish();
                if (limiter.IsIdle)
                {
                    _perKey.Remove(key);
                    limiter.Dispose();
                }
            }
        }
    }
}
