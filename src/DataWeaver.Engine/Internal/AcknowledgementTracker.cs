using DataWeaver.Buffers;
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

    private readonly bool _holdUntilCommitted;

    /// <param name="gate">The in-flight credits.</param>
    /// <param name="onAdvance">Told of every watermark advance, under the partition's lock; MUST NOT block.</param>
    /// <param name="holdUntilCommitted">
    /// Whether credits return only once a commit covers the records (continuous commits), so that records read and
    /// not yet committed never exceed the in-flight bound; otherwise they return on acknowledgement.
    /// </param>
    public AcknowledgementTracker(CapacityGate gate, Action<SourcePosition> onAdvance, bool holdUntilCommitted = false)
    {
        _gate = gate;
        _onAdvance = onAdvance;
        _holdUntilCommitted = holdUntilCommitted;
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
    public SourceLease Register(int partition, long resumeOffset, int records, long bytes)
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

        return tracker.Register(resumeOffset, records, bytes);
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
        private readonly Queue<SourceLease> _leases = new();
        private readonly Queue<SourceLease> _uncommitted = new();
        private readonly Lock _lock = new();
        private long _watermark;
        private bool _hasWatermark;

        public int Partition { get; } = partition;

        public SourceLease Register(long resumeOffset, int records, long bytes)
        {
            var lease = new SourceLease(this, resumeOffset, records, bytes);
            lock (_lock)
            {
                _leases.Enqueue(lease);
            }

            return lease;
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
            lock (_lock)
            {
                lease.Done = true;
                var advanced = false;
                while (_leases.TryPeek(out var head) && head.Done)
                {
                    _leases.Dequeue();
                    if (owner._holdUntilCommitted)
                    {
                        _uncommitted.Enqueue(head);
                    }

                    _watermark = head.ResumeOffset;
                    _hasWatermark = true;
                    advanced = true;
                }

                // Under the lock, so a partition's watermarks reach the source in order (the callback MUST NOT block).
                if (advanced)
                {
                    owner._onAdvance(new SourcePosition(Partition, _watermark));
                }
            }

            if (!owner._holdUntilCommitted)
            {
                owner._gate.Release(lease.Records, lease.Bytes);
            }
        }

        public void Committed(long offset)
        {
            long records = 0, bytes = 0;
            lock (_lock)
            {
                while (_uncommitted.TryPeek(out var head) && head.ResumeOffset <= offset)
                {
                    _uncommitted.Dequeue();
                    records += head.Records;
                    bytes += head.Bytes;
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

        internal SourceLease(PartitionTracker tracker, long resumeOffset, int records, long bytes)
        {
            _tracker = tracker;
            ResumeOffset = resumeOffset;
            Records = records;
            Bytes = bytes;
        }

        public long ResumeOffset { get; }

        public int Partition => _tracker.Partition;

        public int Records { get; }

        public long Bytes { get; }

        public bool Done { get; set; }

        private protected override void OnReleased() => _tracker.Complete(this);
    }
}
