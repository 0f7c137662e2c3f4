using DataWeaver.Buffers;
using DataWeaver.Diagnostics.Internal;
using DataWeaver.Records;

namespace DataWeaver.Internal;

/// <summary>
/// Learns, per source partition, the highest position up to which every record was acknowledged by every
/// sink it went to (the watermark), however out of order the acknowledgements arrive.
/// </summary>
internal sealed class AcknowledgementTracker
{
    private readonly Dictionary<int, PartitionTracker> _partitions = [];
    private readonly Lock _partitionsLock = new();
    private readonly CapacityGate _gate;
    private readonly Action<SourcePosition> _onAdvance;
    private readonly RunMetrics? _metrics;

    private readonly bool _holdUntilCommitted;

    /// <param name="gate">The in-flight credits.</param>
    /// <param name="onAdvance">Told of every watermark advance, under the partition's lock; MUST NOT block.</param>
    /// <param name="holdUntilCommitted">
    /// Whether credits return only once a commit covers the records (continuous commits), so that records read and
    /// not yet committed never exceed the in-flight bound; otherwise they return on acknowledgement.
    /// </param>
    /// <param name="metrics">Told of every acknowledged source batch (the end-to-end latency), outside the locks.</param>
    public AcknowledgementTracker(CapacityGate gate, Action<SourcePosition> onAdvance, bool holdUntilCommitted = false, RunMetrics? metrics = null)
    {
        _gate = gate;
        _onAdvance = onAdvance;
        _holdUntilCommitted = holdUntilCommitted;
        _metrics = metrics;
    }

    /// <summary>Records that a commit covered every record through the given watermarks (see <see cref="Progress"/>), for the commit lag.</summary>
    public void CommittedThrough(IReadOnlyList<PartitionProgress> committed)
    {
        foreach (var progress in committed)
        {
            PartitionTracker? tracker;
            lock (_partitionsLock)
            {
                _partitions.TryGetValue(progress.Partition, out tracker);
            }

            tracker?.CommittedThrough(progress.Acknowledged);
        }
    }

    /// <summary>Gets, per partition, the records read, acknowledged through the watermark and committed, with the watermark.</summary>
    public IReadOnlyList<PartitionProgress> Progress()
    {
        List<PartitionProgress> result = [];
        lock (_partitionsLock)
        {
            foreach (var tracker in _partitions.Values)
            {
                result.Add(tracker.Progress());
            }
        }

        result.Sort(static (a, b) => a.Partition.CompareTo(b.Partition));
        return result;
    }

    /// <summary>Returns the credits of records a commit now covers (only when credits are held until committed).</summary>
    public void Committed(IReadOnlyList<SourcePosition> positions)
    {
        if (!_holdUntilCommitted)
        {
            return;
        }

        foreach (var position in positions)
        {
            PartitionTracker? tracker;
            lock (_partitionsLock)
            {
                _partitions.TryGetValue(position.Partition, out tracker);
            }

            tracker?.Committed(position.Offset);
        }
    }

    /// <summary>Registers the next batch read from a partition; called in read order, by one reader.</summary>
    /// <param name="partition">The partition.</param>
    /// <param name="resumeOffset">The resume offset after the batch's last record.</param>
    /// <param name="records">The batch's records.</param>
    /// <param name="bytes">The batch's bytes.</param>
    /// <param name="readTimestamp">When it was read, on the pipeline's TimeProvider.</param>
    /// <param name="firstResumeOffset">The resume offset after the batch's first record; -1 when unknown.</param>
    public SourceLease Register(int partition, long resumeOffset, int records, long bytes, long readTimestamp = 0, long firstResumeOffset = -1)
    {
        PartitionTracker? tracker;
        lock (_partitionsLock)
        {
            if (!_partitions.TryGetValue(partition, out tracker))
            {
                tracker = new PartitionTracker(this, partition);
                _partitions.Add(partition, tracker);
            }
        }

        return tracker.Register(resumeOffset, records, bytes, readTimestamp, firstResumeOffset);
    }

    /// <summary>Gets the current watermark of every partition that has one.</summary>
    public IReadOnlyList<SourcePosition> Watermarks()
    {
        List<SourcePosition> result = [];
        lock (_partitionsLock)
        {
            foreach (var tracker in _partitions.Values)
            {
                if (tracker.TryGetWatermark(out var offset))
                {
                    result.Add(new SourcePosition(tracker.Partition, offset));
                }
            }
        }

        result.Sort(static (a, b) => a.Partition.CompareTo(b.Partition));
        return result;
    }

    internal sealed class PartitionTracker(AcknowledgementTracker owner, int partition)
    {
        // Released leases kept for reuse (one lease per source batch would otherwise be the engine's only
        // per-batch allocation on the source side); the in-flight bound keeps the live ones to a few dozen.
        private const int MaxFreeLeases = 64;

        private readonly Queue<SourceLease> _leases = new();
        private readonly Queue<SourceLease> _uncommitted = new();
        private readonly Stack<SourceLease> _free = new();
        private readonly Lock _lock = new();
        private long _watermark;
        private bool _hasWatermark;
        private long _read;
        private long _acknowledged;
        private long _committed;
        private bool _registered;

        public int Partition { get; } = partition;

        /// <summary>
        /// Gets the resume offset after the first record this run read from the partition (-1 when unknown): it tells a
        /// restored state which of its snapshots the source resumed from (see Windowing's WindowStateCheckpoint).
        /// </summary>
        public long RunFirstResumeOffset { get; private set; } = -1;

        public SourceLease Register(long resumeOffset, int records, long bytes, long readTimestamp, long firstResumeOffset)
        {
            SourceLease lease;
            lock (_lock)
            {
                lease = _free.TryPop(out var reused) ? reused : new SourceLease(this);
                lease.Reset(resumeOffset, records, bytes, readTimestamp);
                if (!_registered)
                {
                    _registered = true;
                    RunFirstResumeOffset = firstResumeOffset;
                }

                _leases.Enqueue(lease);
                _read += records;
            }

            return lease;
        }

        // Under _lock. A lease is reused once it left both queues: it was released (no batch holds it) and every
        // use of it by Complete and Committed happens under the lock or through values read under it.
        private void Recycle(SourceLease lease)
        {
            if (_free.Count < MaxFreeLeases)
            {
                _free.Push(lease);
            }
        }

        public PartitionProgress Progress()
        {
            lock (_lock)
            {
                return new PartitionProgress(Partition, _hasWatermark, _watermark, _read, _acknowledged, _committed);
            }
        }

        public void CommittedThrough(long acknowledgedRecords)
        {
            lock (_lock)
            {
                _committed = Math.Max(_committed, acknowledgedRecords);
            }
        }

        public bool TryGetWatermark(out long offset)
        {
            lock (_lock)
            {
                offset = _watermark;
                return _hasWatermark;
            }
        }

        public void Complete(SourceLease lease)
        {
            bool returnCredits;
            int records;
            long bytes, readTimestamp;
            lock (_lock)
            {
                // Read while the lease cannot be reused: once dequeued below (here or by another Complete) it may be.
                returnCredits = !owner._holdUntilCommitted && lease.TakeCredits();
                records = lease.Records;
                bytes = lease.Bytes;
                readTimestamp = lease.ReadTimestamp;
                lease.Done = true;
                var advanced = false;
                while (_leases.TryPeek(out var head) && head.Done)
                {
                    _leases.Dequeue();
                    _watermark = head.ResumeOffset;
                    _hasWatermark = true;
                    _acknowledged += head.Records;
                    advanced = true;
                    if (owner._holdUntilCommitted)
                    {
                        _uncommitted.Enqueue(head);
                    }
                    else
                    {
                        Recycle(head);
                    }
                }

                // Under the lock, so a partition's watermarks reach the source in order (the callback MUST NOT block).
                if (advanced)
                {
                    owner._onAdvance(new SourcePosition(Partition, _watermark));
                }
            }

            if (returnCredits)
            {
                owner._gate.Release(records, bytes);
            }

            owner._metrics?.Acknowledged(readTimestamp);
        }

        public void ReturnCredits(long records, long bytes) => owner._gate.Release(records, bytes);

        public void Committed(long offset)
        {
            long records = 0, bytes = 0;
            lock (_lock)
            {
                while (_uncommitted.TryPeek(out var head) && head.ResumeOffset <= offset)
                {
                    _uncommitted.Dequeue();
                    if (head.TakeCredits())
                    {
                        records += head.Records;
                        bytes += head.Bytes;
                    }

                    Recycle(head);
                }
            }

            if (records != 0 || bytes != 0)
            {
                owner._gate.Release(records, bytes);
            }
        }
    }

    /// <summary>The acknowledgement token of one batch of source records.</summary>
    internal sealed class SourceLease : BatchResource
    {
        private readonly PartitionTracker _tracker;
        private int _creditsReturned;
        private bool _used;

        internal SourceLease(PartitionTracker tracker) => _tracker = tracker;

        public long ResumeOffset { get; private set; }

        public int Partition => _tracker.Partition;

        /// <summary>Gets the resume offset after the first record the run read from this lease's partition (-1 when unknown).</summary>
        public long RunFirstResumeOffset => _tracker.RunFirstResumeOffset;

        public int Records { get; private set; }

        public long Bytes { get; private set; }

        /// <summary>Gets when the records were read, on the pipeline's TimeProvider.</summary>
        public long ReadTimestamp { get; private set; }

        public bool Done { get; set; }

        /// <summary>
        /// Hands the lease's in-flight credits back before it is acknowledged: for a stateful stage that folded the
        /// records into its own bounded state (a window), so they no longer occupy the in-flight bound, while the
        /// watermark still waits for the lease. Idempotent.
        /// </summary>
        public void ReturnCreditsEarly()
        {
            if (TakeCredits())
            {
                _tracker.ReturnCredits(Records, Bytes);
            }
        }

        /// <summary>Starts a use of the lease (new, or reused from the tracker's free list) for one source batch.</summary>
        internal void Reset(long resumeOffset, int records, long bytes, long readTimestamp)
        {
            if (_used)
            {
                Revive();
            }

            _used = true;
            ResumeOffset = resumeOffset;
            Records = records;
            Bytes = bytes;
            ReadTimestamp = readTimestamp;
            Done = false;
            _creditsReturned = 0;
        }

        /// <summary>Claims the right to hand the lease's credits back; true once.</summary>
        internal bool TakeCredits() => Interlocked.Exchange(ref _creditsReturned, 1) == 0;

        private protected override void OnReleased() => _tracker.Complete(this);
    }
}

/// <summary>Where one source partition stands.</summary>
/// <param name="Partition">The partition.</param>
/// <param name="HasWatermark">Whether any record of the partition was acknowledged yet.</param>
/// <param name="Watermark">The resume offset up to which every record was acknowledged.</param>
/// <param name="Read">Records read.</param>
/// <param name="Acknowledged">Records up to the watermark.</param>
/// <param name="Committed">Records a commit covered.</param>
internal readonly record struct PartitionProgress(int Partition, bool HasWatermark, long Watermark, long Read, long Acknowledged, long Committed);
