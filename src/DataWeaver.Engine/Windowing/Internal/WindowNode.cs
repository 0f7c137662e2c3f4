using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Errors;
using DataWeaver.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Windowing.Internal;

/// <summary>
/// Folds records into per-key aggregates of tumbling windows and emits each window when it closes. Acknowledgement
/// lineage: each window holds a reference to the source lease of every batch that put a record in it, and hands those
/// references to its result batches, so a source batch is acknowledged only once every window it fed was written. The
/// records themselves are gone once folded, so their in-flight credits go back at once (the state's own bound is
/// <see cref="TumblingWindowOptions.MaxKeys"/>): an open window never stalls the source.
/// </summary>
internal sealed class WindowNode<T, TKey> : SerialNode<T, WindowResult<TKey>>
    where TKey : notnull
{
    private readonly Func<T, TKey> _keySelector;
    private readonly Func<T, double> _valueSelector;
    private readonly Func<T, DateTimeOffset>? _eventTime;
    private readonly long _size;
    private readonly long _outOfOrderness;
    private readonly int _maxKeys;
    private readonly int _chunk;
    private readonly ErrorPolicy _policy;
    private readonly TimeProvider _time;
    private readonly SortedDictionary<long, Window> _windows = [];
    private readonly List<Window> _touched = [];
    private RecordErrorHandler? _errors;
    private int _keys;

    // Windows ending at or before this (ticks) are emitted; an event-time record of one of them is late.
    private long _watermark = long.MinValue;

    public WindowNode(
        string name,
        Func<T, TKey> keySelector,
        Func<T, double> valueSelector,
        Func<T, DateTimeOffset>? eventTime,
        TumblingWindowOptions options,
        ErrorPolicy policy,
        int boundedCapacity,
        BatchTarget<WindowResult<TKey>> output,
        RunContext run,
        BlockCounters? counters)
        : base(name, boundedCapacity, output, run, counters, eventTime is null ? TickPeriod(options.Size) : null)
    {
        _keySelector = keySelector;
        _valueSelector = valueSelector;
        _eventTime = eventTime;
        _size = options.Size.Ticks;
        _outOfOrderness = options.MaxOutOfOrderness.Ticks;
        _maxKeys = options.MaxKeys;
        _chunk = run.Options.BatchSize;
        _policy = policy;
        _time = run.Options.TimeProvider;
    }

    protected override async ValueTask OnBatchAsync(Batch<T> batch)
    {
        var items = batch.Items;
        var count = batch.Count;
        _touched.Clear();
        if (_eventTime is null)
        {
            var window = GetWindow(Align(_time.GetUtcNow().UtcTicks));
            _touched.Add(window);
            for (var i = 0; i < count; i++)
            {
                Add(window, items[i]);
            }
        }
        else
        {
            Window? window = null;
            for (var i = 0; i < count; i++)
            {
                var record = items[i];
                var at = _eventTime(record).UtcTicks;
                var start = Align(at);
                if (start + _size <= _watermark)
                {
                    Late(record, at, batch);
                    continue;
                }

                if (window is null || window.Start != start)
                {
                    window = GetWindow(start);
                    if (!_touched.Contains(window))
                    {
                        _touched.Add(window);
                    }
                }

                Add(window, record);

                // The watermark moves per record, so whether a record is late depends on the records before it only,
                // never on how the stream was cut into batches.
                if (at - _outOfOrderness > _watermark)
                {
                    _watermark = at - _outOfOrderness;
                }
            }
        }

        foreach (var window in _touched)
        {
            var before = window.Leases.Count;
            batch.ShareLeasesWith(window.Leases);
            for (var i = before; i < window.Leases.Count; i++)
            {
                window.Leases[i].ReturnCreditsEarly();
            }
        }

        if (_errors is not null)
        {
            await _errors.FlushAsync(batch).ConfigureAwait(false);
        }

        Counters?.Pass(count);
        batch.Release();
        if (_eventTime is null)
        {
            await CloseThroughAsync(_time.GetUtcNow().UtcTicks).ConfigureAwait(false);
        }
        else if (_watermark != long.MinValue)
        {
            await CloseThroughAsync(_watermark).ConfigureAwait(false);
        }
    }

    protected override ValueTask OnTickAsync() => CloseThroughAsync(_time.GetUtcNow().UtcTicks);

    protected override ValueTask OnEndAsync()
    {
        // A stop or an abort: open windows are not emitted (they would be partial); their records stay unacknowledged,
        // so the final commit stops before them and a restart recomputes the windows.
        if (Run.SourceStopped || Run.AbortToken.IsCancellationRequested)
        {
            return default;
        }

        return CloseThroughAsync(long.MaxValue);
    }

    private static TimeSpan TickPeriod(TimeSpan size) =>
        TimeSpan.FromTicks(Math.Clamp(size.Ticks / 4, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerSecond));

    [DoesNotReturn]
    private static void ThrowStateFull(string stage, int maxKeys) => throw new WindowStateFullException(stage, maxKeys);

    private long Align(long ticks) => ticks - (((ticks % _size) + _size) % _size);

    private Window GetWindow(long start)
    {
        if (!_windows.TryGetValue(start, out var window))
        {
            window = new Window(start);
            _windows.Add(start, window);
        }

        return window;
    }

    private void Add(Window window, T record)
    {
        var value = _valueSelector(record);
        ref var aggregate = ref CollectionsMarshal.GetValueRefOrAddDefault(window.Aggregates, _keySelector(record), out var exists);
        if (!exists)
        {
            if (++_keys > _maxKeys)
            {
                ThrowStateFull(Name, _maxKeys);
            }

            aggregate = new Aggregate(0, 0, double.PositiveInfinity, double.NegativeInfinity);
        }

        aggregate = new Aggregate(aggregate.Count + 1, aggregate.Sum + value, Math.Min(aggregate.Min, value), Math.Max(aggregate.Max, value));
    }

    private void Late(T record, long at, Batch<T> batch)
    {
        var error = new LateRecordException(new DateTimeOffset(at, TimeSpan.Zero), new DateTimeOffset(_watermark, TimeSpan.Zero));
        Run.CountError(Name, ErrorClass.Data, error);
        _errors ??= new RecordErrorHandler(Name, _policy, Run, resilience: null);
        _errors.Drop(record, error, ErrorClass.Data, attempts: 1, batch); // throws under a fail policy: the run fails
    }

    private async ValueTask CloseThroughAsync(long limit)
    {
        while (_windows.Count > 0)
        {
            Window first = null!;
            foreach (var pair in _windows)
            {
                first = pair.Value;
                break;
            }

            if (limit != long.MaxValue && first.Start + _size > limit)
            {
                return;
            }

            _windows.Remove(first.Start);
            await EmitAsync(first).ConfigureAwait(false);
        }
    }

    private async ValueTask EmitAsync(Window window)
    {
        var start = new DateTimeOffset(window.Start, TimeSpan.Zero);
        var end = start.AddTicks(_size);
        var remaining = window.Aggregates.Count;
        Batch<WindowResult<TKey>>? output = null;
        foreach (var (key, aggregate) in window.Aggregates)
        {
            output ??= Batch<WindowResult<TKey>>.Rent(Math.Min(_chunk, remaining));
            output.Add(new WindowResult<TKey>(key, start, end, aggregate.Count, aggregate.Sum, aggregate.Min, aggregate.Max));
            remaining--;
            if (output.Count == _chunk)
            {
                await SendChunkAsync(window, output).ConfigureAwait(false);
                output = null;
            }
        }

        if (output is not null)
        {
            await SendChunkAsync(window, output).ConfigureAwait(false);
        }

        // The window's own references go last: no lease completes before every result batch holds it.
        _keys -= window.Aggregates.Count;
        foreach (var lease in window.Leases)
        {
            lease.Release();
        }

        window.Leases.Clear();
    }

    private ValueTask SendChunkAsync(Window window, Batch<WindowResult<TKey>> output)
    {
        foreach (var lease in window.Leases)
        {
            output.Share(lease);
        }

        return SendAsync(output);
    }

    private readonly record struct Aggregate(long Count, double Sum, double Min, double Max);

    private sealed class Window(long start)
    {
        public long Start { get; } = start;

        public Dictionary<TKey, Aggregate> Aggregates { get; } = [];

        public List<AcknowledgementTracker.SourceLease> Leases { get; } = [];
    }
}
