using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Errors;
using DataWeaver.Internal;
using DataWeaver.Internal.Runtime;
using DataWeaver.Internal.Stateful;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;

namespace DataWeaver.Windowing.Internal;

/// <summary>What a window stage was built with, resolved to ticks.</summary>
internal sealed record WindowSettings(
    WindowKind Kind,
    long Size,
    long Hop,
    long Gap,
    long OutOfOrderness,
    long Lateness,
    long BudgetBytes,
    long MaxKeys,
    bool EventTime,
    bool CheckpointState = false,
    TimeSpan SnapshotInterval = default,
    long EarlyEvery = 0,
    TimeSpan EarlyInterval = default,
    string? SpillDirectory = null,
    long SpillMaxBytes = WindowOptions.DefaultSpillMaxBytes)
{
    /// <summary>Gets whether early results are on.</summary>
    public bool Early => EarlyEvery > 0 || EarlyInterval > TimeSpan.Zero;

    public static WindowSettings From(WindowOptions o, bool eventTime) => new(
        o.Kind,
        o.Size.Ticks,
        o.Kind == WindowKind.Hopping ? (o.Hop ?? o.Size).Ticks : o.Size.Ticks,
        o.Gap.Ticks,
        eventTime ? o.MaxOutOfOrderness.Ticks : 0,
        eventTime ? o.AllowedLateness.Ticks : 0,
        o.StateBudgetBytes,
        o.MaxKeys ?? long.MaxValue,
        eventTime,
        o.CheckpointState,
        o.SnapshotInterval,
        o.EarlyResultEvery ?? 0,
        o.EarlyResultInterval ?? TimeSpan.Zero,
        o.SpillDirectory,
        o.SpillMaxBytes);

    /// <summary>The clock period of a processing-time stage: a quarter of its window (or gap), from 1 ms to 1 s.</summary>
    public TimeSpan? TickPeriod => EventTime
        ? null
        : TimeSpan.FromTicks(Math.Clamp((Kind == WindowKind.Session ? Gap : Math.Min(Size, Hop)) / 4, TimeSpan.TicksPerMillisecond, TimeSpan.TicksPerSecond));
}

/// <summary>
/// Folds records into per-key aggregates of tumbling, hopping or session windows and emits each window when the
/// watermark (event time) or the clock (processing time) passes its end; with allowed lateness a window stays until the
/// watermark passes its end plus the lateness, and late updates re-emit it at the end of their input batch.
/// Acknowledgement lineage: each window (session) holds a reference to the source lease of every batch that put a record
/// in it since its last emission, and hands them to its result batches, so a source batch is acknowledged only once every
/// window it fed was emitted and written. The records themselves are gone once folded, so their in-flight credits go back
/// at once (the state's own bound is the byte budget): an open window never stalls the source.
/// </summary>
internal sealed partial class WindowNode<T, TKey, TAcc, TResult, TAgg, TOut> : SerialNode<T, TOut>
    where TKey : notnull
    where TAgg : IWindowAggregator<T, TAcc, TResult>
{
    // No watermark yet, and the end of input: far enough from long's ends that adding a window, gap or lateness never overflows.
    private const long NoWatermark = long.MinValue / 2;
    private const long EndOfInput = long.MaxValue / 2;
    private const long WindowBytes = 256;
    private const long SessionBytes = 160;
    private const long LeaseBytes = 16;

    private static readonly long s_entryBytes = 2L * (16 + Unsafe.SizeOf<TKey>() + Unsafe.SizeOf<TAcc>());
    private static readonly bool s_keyOnHeap = !typeof(TKey).IsValueType;

    private readonly Func<T, TKey> _keySelector;
    private readonly Func<T, DateTimeOffset>? _eventTime;
    private readonly Func<TKey, DateTimeOffset, DateTimeOffset, TResult, WindowEmission, TOut> _output;
    private readonly WindowSettings _s;
    private readonly int _chunk;
    private readonly ErrorPolicy _policy;
    private readonly TimeProvider _time;
    private readonly SortedDictionary<long, FixedWindow> _windows = [];
    private readonly List<FixedWindow> _touchedWindows = [];
    private readonly Dictionary<TKey, Session> _sessions = [];
    private readonly PriorityQueue<Session, long> _due = new();
    private readonly List<Session> _touchedSessions = [];
    private readonly List<FixedWindow> _expired = [];
#pragma warning disable IDE0044 // not readonly: a readonly struct field would be copied for every call on it
    private TAgg _aggregator;
#pragma warning restore IDE0044
    private readonly bool _sizeVaries;
    private RecordErrorHandler? _errors;
    private FixedWindow? _lastWindow;
    private long _watermark = NoWatermark;
    private long _sequence;
    private long _bytes;
    private long _keys;
    private int _stamp;

    // State checkpoints (WindowOptions.CheckpointState): null when off.
    private readonly WindowStateCheckpoint? _checkpoint;
    private readonly WindowStateCodec<TKey, TAcc>? _codec;
    private readonly Dictionary<int, long> _positions = [];
    private readonly List<AcknowledgementTracker.SourceLease> _held = [];
    private long _lastSnapshot;
    private bool _restored;

    // Early results (WindowOptions.EarlyResultEvery / EarlyResultInterval).
    private readonly bool _early;
    private long _sinceEarly;
    private long _lastEarly;

    public WindowNode(
        string name,
        Func<T, TKey> keySelector,
        Func<T, DateTimeOffset>? eventTime,
        TAgg aggregator,
        Func<TKey, DateTimeOffset, DateTimeOffset, TResult, WindowEmission, TOut> output,
        WindowSettings settings,
        ErrorPolicy policy,
        int boundedCapacity,
        BatchTarget<TOut> next,
        RunContext run,
        BlockCounters? counters,
        Checkpoints.ICheckpointStore? stateStore = null)
        : base(name, boundedCapacity, next, run, counters, settings.TickPeriod)
    {
        _keySelector = keySelector;
        _eventTime = eventTime;
        _aggregator = aggregator;
        _sizeVaries = aggregator.SizeVaries;
        _output = output;
        _s = settings;
        _chunk = run.Options.BatchSize;
        _policy = policy;
        _time = run.Options.TimeProvider;
        _early = settings.Early;
        _lastEarly = _time.GetTimestamp();
        if (settings.CheckpointState)
        {
            var source = stateStore is not null ? (Store: stateStore, Key: "window-state." + run.SourceName)
                : run.SourceCheckpoint
                ?? throw new InvalidOperationException($"Stage '{name}': CheckpointState needs a source that keeps its positions in a checkpoint store (a file source with a checkpoint directory), or WindowOptions.StateStore.");

            _codec = WindowStateCodec<TKey, TAcc>.For(aggregator)
                ?? throw new InvalidOperationException($"Stage '{name}': CheckpointState needs the built-in aggregates or an aggregator implementing IWindowAccumulatorCodec, and a key of type string, long or int.");
            _checkpoint = new WindowStateCheckpoint(source.Store, source.Key, name);
            run.RegisterStateParticipant(_checkpoint, name);
            _lastSnapshot = _time.GetTimestamp();
        }

        _spill = CreateSpill(settings, aggregator);
    }

    /// <summary>Gets the state's estimated bytes (for tests and metrics).</summary>
    public long StateBytes => _bytes;

    protected override async ValueTask OnBatchAsync(Batch<T> batch)
    {
        if (_checkpoint is not null && !_restored)
        {
            await RestoreAsync(batch).ConfigureAwait(false);
        }

        var items = batch.Items;
        var count = batch.Count;
        _stamp++;
        _touchedWindows.Clear();
        _touchedSessions.Clear();
        var now = _eventTime is null ? _time.GetUtcNow().UtcTicks : 0;
        if (_s.Kind == WindowKind.Tumbling)
        {
            FoldTumbling(batch, now);
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                var record = items[i];
                var at = _eventTime is null ? now : _eventTime(record).UtcTicks;
                var accepted = _s.Kind == WindowKind.Hopping ? AddHopping(record, at) : AddSession(record, at);
                if (!accepted)
                {
                    Late(record, at, batch);
                    continue;
                }

                // The watermark moves per record, so whether a record is late depends on the records before it only,
                // never on how the stream was cut into batches.
                if (at - _s.OutOfOrderness > _watermark)
                {
                    _watermark = at - _s.OutOfOrderness;
                }
            }
        }

        if (_checkpoint is null)
        {
            foreach (var window in _touchedWindows)
            {
                HoldLeases(batch, window.Leases);
            }
        }
        else
        {
            // The state is checkpointed: a window holds no leases. The stage holds this batch's while its results go out
            // (they carry them), with processing time until the next batch (the clock's results carry them); a commit
            // waits for a snapshot covering them.
            ReleaseLeases(_held);
            HoldLeases(batch, _held);
            foreach (var lease in _held)
            {
                ref var offset = ref CollectionsMarshal.GetValueRefOrAddDefault(_positions, lease.Partition, out _);
                offset = Math.Max(offset, lease.ResumeOffset);
            }
        }

        foreach (var session in _touchedSessions)
        {
            if (!session.Removed)
            {
                HoldLeases(batch, session.Leases);
            }
        }

        if (_errors is not null)
        {
            await _errors.FlushAsync(batch).ConfigureAwait(false);
        }

        Counters?.Pass(count);
        batch.Release();

        // Late updates of emitted windows go out now; then whatever the watermark (or clock) closed.
        foreach (var window in _touchedWindows)
        {
            if (window.Fired && window.Dirty is { Count: > 0 })
            {
                await EmitAsync(window, update: true).ConfigureAwait(false);
            }
        }

        foreach (var session in _touchedSessions)
        {
            if (!session.Removed && session.Pending && session.Last + _s.Gap <= _watermark)
            {
                await EmitAsync(session).ConfigureAwait(false);
            }
        }

        await AdvanceAsync(_eventTime is null ? Math.Max(now, _time.GetUtcNow().UtcTicks) : _watermark).ConfigureAwait(false);
        if (_early)
        {
            await MaybeEmitEarlyAsync(count).ConfigureAwait(false);
        }

        if (_checkpoint is not null)
        {
            if (_time.GetElapsedTime(_lastSnapshot) >= _s.SnapshotInterval)
            {
                TakeSnapshot();
            }

            if (_eventTime is not null)
            {
                ReleaseLeases(_held); // only records move an event-time window: nothing else will carry them
            }
        }
    }

    protected override ValueTask OnTickAsync()
    {
        var now = _time.GetUtcNow().UtcTicks;
        if (now > _watermark)
        {
            _watermark = now;
        }

        return AdvanceAsync(_watermark);
    }

    protected override ValueTask OnEndAsync()
    {
        // A stop or an abort: open windows are not emitted (they would be partial); their records stay unacknowledged,
        // so the final commit stops before them and a restart recomputes the windows.
        if (Run.SourceStopped || Run.AbortToken.IsCancellationRequested)
        {
            // With state checkpoints the open windows are kept instead: the last snapshot holds them.
            FinishCheckpoint();
            _spill?.DeleteAll();
            return default;
        }

        return _checkpoint is null ? AdvanceAsync(EndOfInput) : EndCheckpointedAsync();
    }

    private async ValueTask EndCheckpointedAsync()
    {
        await AdvanceAsync(EndOfInput).ConfigureAwait(false);
        FinishCheckpoint();
    }

    private void FinishCheckpoint()
    {
        if (_checkpoint is not null)
        {
            TakeSnapshot();
            ReleaseLeases(_held);
        }
    }

    /// <summary>Snapshots the state as the records folded so far built it, for the next commit to save.</summary>
    private void TakeSnapshot()
    {
        _lastSnapshot = _time.GetTimestamp();
        if (_positions.Count == 0)
        {
            return; // no record yet: nothing to commit
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        var writer = new StateWriter(buffer);
        writer.WriteInt64(_watermark);
        writer.WriteInt64(_sequence);
        writer.WriteInt32(_windows.Count);
        foreach (var (start, window) in _windows)
        {
            writer.WriteInt64(start);
            writer.WriteByte(window.Fired ? (byte)1 : (byte)0);
            writer.WriteInt32(window.Aggregates.Count);
            foreach (var key in window.Aggregates.Keys)
            {
                _codec!.Write(writer, key, ref CollectionsMarshal.GetValueRefOrNullRef(window.Aggregates, key));
            }
        }

        var positions = new SourcePosition[_positions.Count];
        var i = 0;
        foreach (var (partition, offset) in _positions)
        {
            positions[i++] = new SourcePosition(partition, offset);
        }

        Array.Sort(positions, static (a, b) => a.Partition.CompareTo(b.Partition));
        _checkpoint!.Add(new WindowSnapshot(positions, buffer.WrittenSpan.ToArray()));
    }

    /// <summary>Restores the state saved with the source's checkpoint, before the first record is folded.</summary>
    private async ValueTask RestoreAsync(Batch<T> first)
    {
        _restored = true;
        List<AcknowledgementTracker.SourceLease> leases = [];
        first.ShareLeasesWith(leases);
        var snapshot = await _checkpoint!.LoadAsync(
            partition => leases.Find(l => l.Partition == partition) is { } lease ? lease.RunFirstResumeOffset : -1,
            Run.AbortToken).ConfigureAwait(false);
        ReleaseLeases(leases);
        if (snapshot is null)
        {
            return;
        }

        foreach (var position in snapshot.Positions)
        {
            _positions[position.Partition] = position.Offset;
        }

        Restore(snapshot.Payload, snapshot.Layout);
    }

    private void Restore(byte[] payload, byte layout)
    {
        try
        {
            var reader = new StateReader(payload);
            _watermark = reader.ReadInt64();
            _sequence = reader.ReadInt64();
            var windows = reader.ReadCount();
            for (var w = 0; w < windows; w++)
            {
                var start = reader.ReadInt64();
                var window = GetWindow(start);
                window.Fired = reader.ReadByte() != 0;
                var keys = reader.ReadCount();
                for (var k = 0; k < keys; k++)
                {
                    var key = WindowStateCodec<TKey, TAcc>.ReadKey(ref reader);
                    var accumulator = _codec!.ReadAccumulator(ref reader, layout);
                    window.Bytes += NewKey(key, _aggregator.EstimateBytes(ref accumulator));
                    window.Aggregates[key] = accumulator;
                }
            }

            if (!reader.AtEnd)
            {
                throw new FormatException("bytes follow the last window");
            }
        }
        catch (FormatException exception)
        {
            throw new Checkpoints.CheckpointException(_checkpoint!.StateKey, $"The state of stage '{Name}' is corrupt: {exception.Message}.", exception);
        }
    }

    [DoesNotReturn]
    private static void ThrowBudget(string stage, long budget, long bytes) => throw new WindowStateFullException(stage, budget, bytes);

    [DoesNotReturn]
    private static void ThrowKeys(string stage, long maxKeys) => throw new WindowStateFullException(stage, (int)Math.Min(maxKeys, int.MaxValue));

    private static long Align(long ticks, long size) => ticks - (((ticks % size) + size) % size);

    private static long KeyBytes(TKey key) => !s_keyOnHeap ? 0 : key is string text ? 24 + (2L * text.Length) : 32;

    private static void HoldLeases(Batch<T> batch, List<AcknowledgementTracker.SourceLease> leases)
    {
        var before = leases.Count;
        batch.ShareLeasesWith(leases);
        for (var i = before; i < leases.Count; i++)
        {
            leases[i].ReturnCreditsEarly();
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Grow(long bytes)
    {
        _bytes += bytes;
        if (_bytes > _s.BudgetBytes)
        {
            OverBound();
        }
    }

    private long NewKey(TKey key, long extra)
    {
        if (++_keys > _s.MaxKeys)
        {
            OverBound();
        }

        var bytes = s_entryBytes + KeyBytes(key) + extra;
        Grow(bytes);
        return bytes;
    }

    /// <summary>
    /// The tumbling fast path: one window lookup per change of window, no division while a record stays in it. Left to
    /// tiered compilation on purpose: dynamic PGO inlines the selector delegates (AggressiveOptimization measured 2.5x slower).
    /// </summary>
    private void FoldTumbling(Batch<T> batch, long now)
    {
        var items = batch.Items;
        var count = batch.Count;
        var size = _s.Size;
        var expiredBefore = _s.Size + _s.Lateness;
        var outOfOrderness = _s.OutOfOrderness;
        var timeOf = _eventTime;
        var keyOf = _keySelector;
        var slow = _sizeVaries || _early; // early results track the keys that changed: the slow path
        var watermark = _watermark;
        var aggregator = _aggregator; // a struct aggregator's copy for this batch, written back below
        FixedWindow? window = null;
        long start = long.MinValue, end = long.MinValue;
        for (var i = 0; i < count; i++)
        {
            var record = items[i];
            var at = timeOf is null ? now : timeOf(record).UtcTicks;
            if (at < start || at >= end)
            {
                var aligned = at - (at % size); // UTC ticks are never negative
                if (aligned + expiredBefore <= watermark)
                {
                    _watermark = watermark;
                    Late(record, at, batch);
                    continue;
                }

                window = GetWindow(aligned);
                Touch(window);
                start = aligned;
                end = aligned + size;
            }
            else if (start + expiredBefore <= watermark)
            {
                _watermark = watermark;
                Late(record, at, batch);
                continue;
            }

            var key = keyOf(record);
            ref var accumulator = ref CollectionsMarshal.GetValueRefOrAddDefault(window!.Aggregates, key, out var exists)!;
            if (exists && !slow && !window.Fired)
            {
                aggregator.Add(ref accumulator, record, new WindowElement(at, _sequence++));
            }
            else
            {
                _aggregator = aggregator;
                AddSlow(window, key, record, at, ref accumulator, exists);
                if (_spillDue)
                {
                    Spill();
                }

                aggregator = _aggregator;
            }

            if (at - outOfOrderness > watermark)
            {
                watermark = at - outOfOrderness;
            }
        }

        _aggregator = aggregator;
        _watermark = watermark;
    }

    private bool AddHopping(T record, long at)
    {
        var accepted = false;
        var key = default(TKey);
        for (var start = Align(at, _s.Hop); start > at - _s.Size; start -= _s.Hop)
        {
            // Older windows end earlier: once one is past the lateness, every older one is too.
            if (start + _s.Size + _s.Lateness <= _watermark)
            {
                break;
            }

            if (!accepted)
            {
                key = _keySelector(record);
                accepted = true;
            }

            var window = GetWindow(start);
            Touch(window);
            AddRecord(window, key!, record, at);
            if (_spillDue)
            {
                Spill();
            }
        }

        return accepted;
    }

    private FixedWindow GetWindow(long start)
    {
        if (_lastWindow is { } last && last.Start == start && !last.Removed)
        {
            return last;
        }

        if (!_windows.TryGetValue(start, out var window))
        {
            // Sized like the last window: a steady key set costs no rehashing per window.
            window = new FixedWindow(start, start + _s.Size, Math.Min(_lastWindow?.Aggregates.Count ?? 0, 1 << 20)) { Bytes = WindowBytes };
            _windows.Add(start, window);
            Grow(WindowBytes);
        }

        _lastWindow = window;
        return window;
    }

    private void Touch(FixedWindow window)
    {
        if (window.Stamp != _stamp)
        {
            window.Stamp = _stamp;
            _touchedWindows.Add(window);
            window.Bytes += LeaseBytes;
            Grow(LeaseBytes);
        }
    }

    private void AddRecord(FixedWindow window, TKey key, T record, long at)
    {
        ref var accumulator = ref CollectionsMarshal.GetValueRefOrAddDefault(window.Aggregates, key, out var exists)!;
        AddSlow(window, key, record, at, ref accumulator, exists);
    }

    /// <summary>Adds a record to its slot of a window: a new key, a late update of an emitted window, a growing accumulator.</summary>
    private void AddSlow(FixedWindow window, TKey key, T record, long at, ref TAcc accumulator, bool exists)
    {
        if (!exists)
        {
            accumulator = _aggregator.Create();
            window.Bytes += NewKey(key, _aggregator.EstimateBytes(ref accumulator));
        }

        if (window.Fired)
        {
            (window.Dirty ??= []).Add(key);
        }
        else if (_early)
        {
            (window.EarlyDirty ??= []).Add(key);
        }

        var element = new WindowElement(at, _sequence++);
        if (_sizeVaries)
        {
            var before = _aggregator.EstimateBytes(ref accumulator);
            _aggregator.Add(ref accumulator, record, element);
            var delta = _aggregator.EstimateBytes(ref accumulator) - before;
            window.Bytes += delta;
            Grow(delta);
        }
        else
        {
            _aggregator.Add(ref accumulator, record, element);
        }
    }

    private bool AddSession(T record, long at)
    {
        var gap = _s.Gap;
        if (at + gap + _s.Lateness <= _watermark)
        {
            return false;
        }

        var key = _keySelector(record);
        ref var head = ref CollectionsMarshal.GetValueRefOrAddDefault(_sessions, key, out _);
        Session? merged = null;
        Session? previous = null;
        for (var session = head; session is not null; session = session.Next)
        {
            // A session past its lateness never grows again (it is emitted and dropped by AdvanceAsync).
            var end = session.Last + gap;
            if (end + _s.Lateness <= _watermark || session.Start >= at + gap || at >= end)
            {
                previous = session;
                continue;
            }

            if (merged is null)
            {
                merged = session;
                previous = session;
                continue;
            }

            // The record bridges two sessions: fold this one into the first and unlink it.
            _aggregator.Merge(ref merged.Accumulator, ref session.Accumulator);
            merged.Start = Math.Min(merged.Start, session.Start);
            merged.Last = Math.Max(merged.Last, session.Last);
            merged.Emitted |= session.Emitted;
            merged.Leases.AddRange(session.Leases);
            session.Leases.Clear();
            session.Removed = true;
            previous!.Next = session.Next;
            _keys--;
            merged.Bytes += session.Bytes - SessionBytes;
            _bytes -= SessionBytes;
            if (_sizeVaries)
            {
                var heap = _aggregator.EstimateBytes(ref merged.Accumulator);
                _bytes += heap - merged.HeapBytes - session.HeapBytes;
                merged.HeapBytes = heap;
            }
        }

        if (merged is null)
        {
            merged = new Session(key, at) { Accumulator = _aggregator.Create(), Next = head };
            head = merged;
            merged.Bytes = NewKey(key, SessionBytes);
            if (_sizeVaries)
            {
                merged.HeapBytes = _aggregator.EstimateBytes(ref merged.Accumulator);
                Grow(merged.HeapBytes);
            }

            _due.Enqueue(merged, at + gap);
        }
        else
        {
            merged.Start = Math.Min(merged.Start, at);
            merged.Last = Math.Max(merged.Last, at);
        }

        if (merged.Stamp != _stamp)
        {
            merged.Stamp = _stamp;
            _touchedSessions.Add(merged);
            merged.Bytes += LeaseBytes;
            Grow(LeaseBytes);
        }

        merged.Pending = true;
        var element = new WindowElement(at, _sequence++);
        _aggregator.Add(ref merged.Accumulator, record, element);
        if (_sizeVaries)
        {
            var heap = _aggregator.EstimateBytes(ref merged.Accumulator);
            var delta = heap - merged.HeapBytes;
            merged.HeapBytes = heap;
            Grow(delta);
        }

        return true;
    }

    private void Late(T record, long at, Batch<T> batch)
    {
        var error = new LateRecordException(new DateTimeOffset(at, TimeSpan.Zero), new DateTimeOffset(_watermark, TimeSpan.Zero));
        Run.CountError(Name, ErrorClass.Data, error);
        _errors ??= new RecordErrorHandler(Name, _policy, Run, resilience: null);
        _errors.Drop(record, error, ErrorClass.Data, attempts: 1, batch); // throws under a fail policy: the run fails
    }

    private async ValueTask AdvanceAsync(long watermark)
    {
        if (_s.Kind == WindowKind.Session)
        {
            await AdvanceSessionsAsync(watermark).ConfigureAwait(false);
            return;
        }

        _expired.Clear();
        foreach (var (_, window) in _windows)
        {
            if (window.End > watermark)
            {
                break;
            }

            if (!window.Fired)
            {
                await EmitAsync(window, update: false).ConfigureAwait(false);
            }

            if (window.End + _s.Lateness <= watermark)
            {
                _expired.Add(window);
            }
        }

        foreach (var window in _expired)
        {
            _windows.Remove(window.Start);
            window.Removed = true;
            _keys -= window.Aggregates.Count;
            _bytes -= window.Bytes;
            ReleaseLeases(window.Leases);
        }
    }

    private async ValueTask AdvanceSessionsAsync(long watermark)
    {
        while (_due.TryPeek(out var session, out var due) && due <= watermark)
        {
            _due.Dequeue();
            if (session.Removed)
            {
                continue;
            }

            var end = session.Last + _s.Gap;
            if (end > watermark)
            {
                _due.Enqueue(session, end); // it grew since it was queued
                continue;
            }

            if (session.Pending)
            {
                await EmitAsync(session).ConfigureAwait(false);
            }

            if (end + _s.Lateness > watermark)
            {
                _due.Enqueue(session, end + _s.Lateness);
                continue;
            }

            // Past its lateness: unlink and drop.
            session.Removed = true;
            ref var head = ref CollectionsMarshal.GetValueRefOrNullRef(_sessions, session.Key);
            if (ReferenceEquals(head, session))
            {
                if (session.Next is null)
                {
                    _sessions.Remove(session.Key);
                }
                else
                {
                    head = session.Next;
                }
            }
            else
            {
                var before = head;
                while (!ReferenceEquals(before.Next, session))
                {
                    before = before.Next!;
                }

                before.Next = session.Next;
            }

            _keys--;
            _bytes -= session.Bytes + session.HeapBytes;
            ReleaseLeases(session.Leases);
        }
    }

    private async ValueTask EmitAsync(FixedWindow window, bool update)
    {
        if (update)
        {
            await EmitKeysAsync(window, window.Dirty!, WindowEmission.Update).ConfigureAwait(false);
            window.Dirty!.Clear();
        }
        else if (window.Runs is not null)
        {
            await EmitSpilledAsync(window).ConfigureAwait(false);
        }
        else
        {
            window.Fired = true;
            await EmitKeysAsync(window, window.Aggregates.Keys, WindowEmission.Final).ConfigureAwait(false);
        }

        ReleaseLeases(window.Leases);
    }

    /// <summary>Emits the results of <paramref name="keys"/> in batches of the pipeline's size; the window keeps its leases.</summary>
    private async ValueTask EmitKeysAsync(FixedWindow window, IReadOnlyCollection<TKey> keys, WindowEmission kind)
    {
        var start = new DateTimeOffset(window.Start, TimeSpan.Zero);
        var end = new DateTimeOffset(window.End, TimeSpan.Zero);
        Batch<TOut>? output = null;
        var remaining = keys.Count;
        foreach (var key in keys)
        {
            output ??= Batch<TOut>.Rent(Math.Min(_chunk, remaining));
            ref var accumulator = ref CollectionsMarshal.GetValueRefOrNullRef(window.Aggregates, key);
            output.Add(_output(key, start, end, _aggregator.Result(ref accumulator), kind));
            remaining--;
            if (output.Count == _chunk)
            {
                await SendChunkAsync(LeasesOf(window), output).ConfigureAwait(false);
                output = null;
            }
        }

        if (output is not null)
        {
            await SendChunkAsync(LeasesOf(window), output).ConfigureAwait(false);
        }
    }

    private async ValueTask EmitAsync(Session session)
    {
        var output = Batch<TOut>.Rent(1);
        var start = new DateTimeOffset(session.Start, TimeSpan.Zero);
        var end = new DateTimeOffset(session.Last + _s.Gap, TimeSpan.Zero);
        output.Add(_output(session.Key, start, end, _aggregator.Result(ref session.Accumulator), session.Emitted ? WindowEmission.Update : WindowEmission.Final));
        session.Emitted = true;
        session.Pending = false;
        await SendChunkAsync(session.Leases, output).ConfigureAwait(false);
        ReleaseLeases(session.Leases);
    }

    /// <summary>Emits the changed keys of every open window when N records passed or the interval elapsed.</summary>
    private async ValueTask MaybeEmitEarlyAsync(int records)
    {
        _sinceEarly += records;
        if ((_s.EarlyEvery <= 0 || _sinceEarly < _s.EarlyEvery)
            && (_s.EarlyInterval <= TimeSpan.Zero || _time.GetElapsedTime(_lastEarly) < _s.EarlyInterval))
        {
            return;
        }

        _sinceEarly = 0;
        _lastEarly = _time.GetTimestamp();
        foreach (var (_, window) in _windows)
        {
            if (window.Fired || window.EarlyDirty is not { Count: > 0 } dirty)
            {
                continue;
            }

            // The window keeps its leases: its final result must still be written before its records commit.
            await EmitKeysAsync(window, dirty, WindowEmission.Early).ConfigureAwait(false);
            dirty.Clear();
        }
    }

    private List<AcknowledgementTracker.SourceLease> LeasesOf(FixedWindow window) => _checkpoint is null ? window.Leases : _held;

    private ValueTask SendChunkAsync(List<AcknowledgementTracker.SourceLease> leases, Batch<TOut> output)
    {
        foreach (var lease in leases)
        {
            output.Share(lease);
        }

        return SendAsync(output);
    }

    // The window's own references go last: no lease completes before every result batch holds it.
    private static void ReleaseLeases(List<AcknowledgementTracker.SourceLease> leases)
    {
        foreach (var lease in leases)
        {
            lease.Release();
        }

        leases.Clear();
    }

    private sealed class FixedWindow(long start, long end, int capacity)
    {
        public long Start { get; } = start;

        public long End { get; } = end;

        public Dictionary<TKey, TAcc> Aggregates { get; } = new(capacity);

        public List<AcknowledgementTracker.SourceLease> Leases { get; } = [];

        public HashSet<TKey>? Dirty { get; set; }

        /// <summary>Gets or sets the keys changed since the window's last early results (early results only).</summary>
        public HashSet<TKey>? EarlyDirty { get; set; }

        public bool Fired { get; set; }

        public bool Removed { get; set; }

        public int Stamp { get; set; }

        /// <summary>Gets or sets the state bytes counted for this window (removed with it).</summary>
        public long Bytes { get; set; }

        /// <summary>Gets or sets the window's spill runs, oldest first (<see cref="WindowOptions.SpillDirectory"/>); null when it never spilled.</summary>
        public List<WindowSpillRun>? Runs { get; set; }
    }

    private sealed class Session(TKey key, long at)
    {
        public TAcc Accumulator = default!;

        public TKey Key { get; } = key;

        public long Start { get; set; } = at;

        public long Last { get; set; } = at;

        public Session? Next { get; set; }

        public List<AcknowledgementTracker.SourceLease> Leases { get; } = [];

        public bool Pending { get; set; }

        public bool Emitted { get; set; }

        public bool Removed { get; set; }

        public int Stamp { get; set; }

        /// <summary>Gets or sets the fixed state bytes counted for this session (object, key, entry, leases).</summary>
        public long Bytes { get; set; }

        /// <summary>Gets or sets the aggregator's heap estimate last counted.</summary>
        public long HeapBytes { get; set; }
    }
}
