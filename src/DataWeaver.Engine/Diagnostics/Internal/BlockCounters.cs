using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using DataWeaver.Pipelines;

namespace DataWeaver.Diagnostics.Internal;

/// <summary>
/// The live counters of one block of a run, updated once per batch without locks or allocations: records sent to
/// the block (by its senders), records it took in and the time it worked (by its workers). The senders' counter and
/// the workers' pair each sit on cache lines of their own, so senders and workers on different cores do not slow
/// each other down.
/// </summary>
internal sealed class BlockCounters
{
    private readonly TimeProvider _time;
    private readonly bool _systemClock;
    private readonly bool _singleWorker;
    private readonly List<Func<int>> _queues = [];
    private Entered _entered;
    private Work _work;

    public BlockCounters(GraphBlock block, TimeProvider time)
    {
        Block = block;
        _time = time;
        _systemClock = ReferenceEquals(time, TimeProvider.System); // Stopwatch directly: no virtual call per batch
        // One worker, one writer: plain volatile writes instead of interlocked ones. Lanes share one set of counters.
        _singleWorker = block.DegreeOfParallelism == 1 && block.Kind is GraphBlockKind.Source or GraphBlockKind.Transform or GraphBlockKind.Batch or GraphBlockKind.Sink;
    }

    public GraphBlock Block { get; }

    public string Name => Block.Name;

    /// <summary>Adds a Dataflow block whose input queue is part of this block's (read only when statistics are taken).</summary>
    public void ObserveQueue(Func<int> inputCount)
    {
        lock (_queues)
        {
            _queues.Add(inputCount);
        }
    }

    /// <summary>A sender handed <paramref name="records"/> records to the block; any thread.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Enter(int records) => Interlocked.Add(ref _entered.Records, records);

    /// <summary>A worker takes in a batch: counts its records, returns the timestamp to pass to <see cref="End"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public long Begin(int records)
    {
        Add(ref _work.Records, records);
        return Now();
    }

    /// <summary>The worker is done with the batch it began at <paramref name="startedAt"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void End(long startedAt) => Add(ref _work.Busy, Now() - startedAt);

    /// <summary>Counts records that went through, without timing (fan-outs, which run in the sender).</summary>
    public void Pass(int records) => Interlocked.Add(ref _work.Records, records);

    /// <summary>Adds work measured by the caller (the source's fills).</summary>
    public void AddWork(int records, long busyTicks)
    {
        Add(ref _work.Records, records);
        Add(ref _work.Busy, busyTicks);
    }

    public long RecordsProcessed => Volatile.Read(ref _work.Records);

    public TimeSpan BusyTime => TimeSpan.FromSeconds((double)Volatile.Read(ref _work.Busy) / _time.TimestampFrequency);

    public int QueuedBatches()
    {
        var queued = 0;
        lock (_queues)
        {
            foreach (var count in _queues)
            {
                queued += count();
            }
        }

        return queued;
    }

    public BlockStatistics Read() => new()
    {
        Id = Block.Id,
        Name = Block.Name,
        Kind = Block.Kind,
        DegreeOfParallelism = Block.DegreeOfParallelism,
        QueuedBatches = QueuedBatches(),
        // Entered is counted before the hand-off, taken in after it: never below zero once both are read.
        QueuedRecords = Math.Max(0, Volatile.Read(ref _entered.Records) - RecordsProcessed),
        CapacityBatches = Block.BoundedCapacity,
        CapacityRecords = Block.CapacityRecords,
        RecordsProcessed = RecordsProcessed,
        BusyTime = BusyTime,
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private long Now() => _systemClock ? Stopwatch.GetTimestamp() : _time.GetTimestamp();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void Add(ref long counter, long value)
    {
        if (_singleWorker)
        {
            Volatile.Write(ref counter, counter + value);
        }
        else
        {
            Interlocked.Add(ref counter, value);
        }
    }

    /// <summary>The senders' counter, alone on its cache lines (and the adjacent ones the hardware prefetches).</summary>
    [StructLayout(LayoutKind.Explicit, Size = 128)]
    private struct Entered
    {
        [FieldOffset(64)]
        public long Records;
    }

    /// <summary>The workers' counters, written together, on cache lines of their own.</summary>
    [StructLayout(LayoutKind.Explicit, Size = 192)]
    private struct Work
    {
        [FieldOffset(64)]
        public long Records;

        [FieldOffset(72)]
        public long Busy;
    }
}
