using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Windowing;

namespace DataWeaver.Joins.Internal;

/// <summary>
/// An interval join by event time: each record is matched against the buffered records of the other side with an equal
/// key and a time at most the window apart, then buffered itself until the watermark passes its time plus the window
/// (after that no record that is not late can match it). Lineage: every buffered record keeps a reference to all
/// resources of its source batch (leases and payload) through a holder shared by the batch's buffered records; result
/// batches share the holders of the records in them. So a source batch is acknowledged only once each of its records
/// left the state and every result it is part of was written. The records' in-flight credits go back at once (the
/// state's own bound is the byte budget), so buffered records never stall the source.
/// </summary>
internal sealed class StreamJoinNode<T, TKey, TOut> : SerialNode<T, TOut>
    where TKey : notnull
{
    private const long NoWatermark = long.MinValue / 2;
    private const long EntryBytes = 96;
    private static readonly long s_recordBytes = Unsafe.SizeOf<T>();

    private readonly Func<T, bool> _isLeft;
    private readonly Func<T, TKey> _keySelector;
    private readonly Func<T, DateTimeOffset> _eventTime;
    private readonly Func<T, T?, TOut> _resultSelector;
    private readonly long _window;
    private readonly long _outOfOrderness;
    private readonly long _budget;
    private readonly bool _leftJoin;
    private readonly int _chunk;
    private readonly ErrorPolicy _policy;
    private readonly Dictionary<TKey, KeyState> _keys = [];
    private readonly PriorityQueue<Entry, long> _expiry = new();
    private RecordErrorHandler? _errors;
    private Batch<TOut>? _output;
    private int _outputStamp;
    private long _watermark = NoWatermark;
    private long _bytes;

    public StreamJoinNode(
        string name,
        Func<T, bool> isLeft,
        Func<T, TKey> keySelector,
        Func<T, DateTimeOffset> eventTime,
        Func<T, T?, TOut> resultSelector,
        StreamJoinOptions options,
        ErrorPolicy policy,
        int boundedCapacity,
        BatchTarget<TOut> next,
        RunContext run,
        BlockCounters? counters)
        : base(name, boundedCapacity, next, run, counters, tickPeriod: null)
    {
        _isLeft = isLeft;
        _keySelector = keySelector;
        _eventTime = eventTime;
        _resultSelector = resultSelector;
        _window = options.Window.Ticks;
        _outOfOrderness = options.MaxOutOfOrderness.Ticks;
        _budget = options.StateBudgetBytes;
        _leftJoin = options.Kind == StreamJoinKind.Left;
        _chunk = run.Options.BatchSize;
        _policy = policy;
    }

    /// <summary>Gets the state's estimated bytes (for tests).</summary>
    public long StateBytes => _bytes;

    protected override async ValueTask OnBatchAsync(Batch<T> batch)
    {
        var items = batch.Items;
        var count = batch.Count;
        var holder = new Holder(batch);
        var perRecord = EntryBytes + Math.Max(s_recordBytes, batch.Bytes / Math.Max(count, 1));
        for (var i = 0; i < count; i++)
        {
            var record = items[i];
            var at = _eventTime(record).UtcTicks;
            if (at < _watermark)
            {
                Late(record, at, batch);
                continue;
            }

            if (at - _outOfOrderness > _watermark)
            {
                _watermark = at - _outOfOrderness;
            }

            var key = _keySelector(record);
            var left = _isLeft(record);
            if (!_keys.TryGetValue(key, out var state))
            {
                state = new KeyState();
                _keys.Add(key, state);
            }

            var entry = new Entry(record, at, key, left, holder);
            var others = left ? state.Right : state.Left;
            var removed = 0;
            foreach (var other in others)
            {
                if (other.Removed)
                {
                    removed++;
                    continue;
                }

                if (Math.Abs(other.Time - at) <= _window)
                {
                    other.Matched = true;
                    entry.Matched = true;
                    await EmitAsync(left ? record : other.Record, left ? other.Record : record, other.Holder, holder).ConfigureAwait(false);
                }
            }

            if (removed > others.Count / 2)
            {
                others.RemoveAll(static e => e.Removed);
            }

            var bytes = perRecord + KeyBytes(key);
            _bytes += bytes;
            if (_bytes > _budget)
            {
                ThrowFull(Name, _budget, _bytes, _keys.Count);
            }

            entry.Bytes = bytes;
            (left ? state.Left : state.Right).Add(entry);
            state.Live++;
            holder.Entries++;
            _expiry.Enqueue(entry, at);
        }

        if (_errors is not null)
        {
            await _errors.FlushAsync(batch).ConfigureAwait(false);
        }

        Counters?.Pass(count);
        await EvictAsync(_watermark - _window).ConfigureAwait(false);
        await FlushOutputAsync().ConfigureAwait(false);
        holder.Take(batch); // releases the batch at once when none of its records stayed in the state
    }

    protected override async ValueTask OnEndAsync()
    {
        // A stop or an abort: buffered records stay unacknowledged (a restart re-reads and recomputes them).
        if (Run.SourceStopped || Run.AbortToken.IsCancellationRequested)
        {
            return;
        }

        await EvictAsync(long.MaxValue).ConfigureAwait(false);
        await FlushOutputAsync().ConfigureAwait(false);
    }

    [DoesNotReturn]
    private static void ThrowFull(string stage, long budget, long bytes, int keys) =>
        throw new JoinStateFullException(stage, budget, bytes, $"the buffered records ({keys} keys)");

    private static long KeyBytes(TKey key) => key is string text ? 24 + (2L * text.Length) : 0;

    // Evicts every record with time + window < watermark (it can match no record that is not late), emitting the
    // unmatched left records of a left join.
    private async ValueTask EvictAsync(long before)
    {
        while (_expiry.TryPeek(out var entry, out var at) && (before == long.MaxValue || at < before))
        {
            _expiry.Dequeue();
            entry.Removed = true;
            var state = _keys[entry.Key];
            if (--state.Live == 0)
            {
                _keys.Remove(entry.Key);
            }

            _bytes -= entry.Bytes;
            if (_leftJoin && entry.Left && !entry.Matched)
            {
                await EmitAsync(entry.Record, default, entry.Holder, null).ConfigureAwait(false);
            }

            if (--entry.Holder.Entries == 0 && entry.Holder.Taken)
            {
                entry.Holder.Release();
            }
        }
    }

    private async ValueTask EmitAsync(T left, T? right, Holder first, Holder? second)
    {
        var output = _output ??= Batch<TOut>.Rent(_chunk);
        output.Add(_resultSelector(left, right));
        first.ShareWith(output, _outputStamp);
        second?.ShareWith(output, _outputStamp);
        if (output.Count >= _chunk)
        {
            await FlushOutputAsync().ConfigureAwait(false);
        }
    }

    private ValueTask FlushOutputAsync()
    {
        if (_output is not { } output)
        {
            return default;
        }

        _output = null;
        _outputStamp++;
        return SendAsync(output);
    }

    private void Late(T record, long at, Batch<T> batch)
    {
        var error = new LateRecordException(new DateTimeOffset(at, TimeSpan.Zero), new DateTimeOffset(_watermark, TimeSpan.Zero));
        RecordErrorHandler.DropDataError(ref _errors, Name, _policy, Run, record, error, batch);
    }

    private sealed class KeyState
    {
        public List<Entry> Left { get; } = [];

        public List<Entry> Right { get; } = [];

        public int Live { get; set; }
    }

    private sealed class Entry(T record, long time, TKey key, bool left, Holder holder)
    {
        public T Record { get; } = record;

        public long Time { get; } = time;

        public TKey Key { get; } = key;

        public bool Left { get; } = left;

        public Holder Holder { get; } = holder;

        public bool Matched { get; set; }

        public bool Removed { get; set; }

        public long Bytes { get; set; }
    }

    /// <summary>
    /// The resources of one source batch while its records are buffered: until <see cref="Take"/>, the batch itself
    /// (results share its resources); after, an empty batch holding a reference to each, released with the last entry.
    /// </summary>
    private sealed class Holder(Batch<T> batch)
    {
        private Batch<T>? _source = batch;
        private Batch<T>? _held;
        private int _stamp = -1;

        public int Entries { get; set; }

        public bool Taken { get; private set; }

        public void ShareWith(Batch<TOut> output, int stamp)
        {
            if (_stamp == stamp)
            {
                return; // this output batch already holds these resources
            }

            _stamp = stamp;
            ((IBatch?)_held ?? _source!).ShareResourcesWith(output);
        }

        /// <summary>At the end of the batch's turn: keeps its resources (if entries remain) and releases the batch.</summary>
        public void Take(Batch<T> batch)
        {
            Taken = true;
            if (Entries > 0)
            {
                _held = Batch<T>.Rent(0);
                var leases = new List<AcknowledgementTracker.SourceLease>();
                batch.ShareLeasesWith(leases);
                foreach (var lease in leases)
                {
                    lease.ReturnCreditsEarly(); // the records are in the state: the byte budget bounds them
                    lease.Release();
                }

                batch.MoveResourcesTo(_held);
                batch.Recycle();
            }
            else
            {
                batch.Release();
            }

            _source = null;
        }

        public void Release() => _held!.Release();
    }
}
