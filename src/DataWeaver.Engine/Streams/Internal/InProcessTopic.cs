namespace DataWeaver.Streams.Internal;

/// <summary>
/// A stream of the in-process framework: its partition logs, consumer groups and the signal consumers wait
/// on. One lock (<see cref="Sync"/>) guards all of it; everything named <c>...Locked</c> must hold it.
/// </summary>
internal sealed class InProcessTopic
{
    private readonly Dictionary<string, ConsumerGroup> _groups = new(StringComparer.Ordinal);
    private TaskCompletionSource? _dataWaiters;
    private int _roundRobin = -1;

    public InProcessTopic(string name, int partitions, int capacity)
    {
        Name = name;
        Partitions = new PartitionLog[partitions];
        for (var i = 0; i < partitions; i++)
        {
            Partitions[i] = new PartitionLog(i, capacity);
        }
    }

    public Lock Sync { get; } = new();

    public string Name { get; }

    public PartitionLog[] Partitions { get; }

    public bool Closed { get; private set; }

    public int NextRoundRobin() => (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)Partitions.Length);

    /// <summary>
    /// Appends when the partition has room and nothing waits before it; otherwise returns false and the caller queues
    /// the append (<see cref="PartitionLog.Enqueue"/>) until every group has committed enough (nothing is dropped).
    /// </summary>
    public bool TryAppendLocked(int partition, in StoredMessage message, out long offset)
    {
        if (Closed)
        {
            StreamThrowHelper.ThrowStopped(Name);
        }

        var log = Partitions[partition];
        if (log.MustWait)
        {
            offset = -1;
            return false;
        }

        offset = log.Append(message);
        WakeConsumersLocked();
        return true;
    }

    public ConsumerGroup GetOrAddGroupLocked(string groupId, StreamStartPosition startFrom)
    {
        if (!_groups.TryGetValue(groupId, out var group))
        {
            var committed = new long[Partitions.Length];
            for (var p = 0; p < committed.Length; p++)
            {
                committed[p] = startFrom == StreamStartPosition.Latest ? Partitions[p].End : Partitions[p].Start;
            }

            group = new ConsumerGroup(groupId, committed);
            _groups.Add(groupId, group);
        }

        return group;
    }

    /// <summary>
    /// Range assignment: members in join order; each gets a contiguous range of partitions, the first
    /// <c>partitions % members</c> one more than the others.
    /// </summary>
    public void RebalanceLocked(ConsumerGroup group)
    {
        var members = group.Members;
        var partitions = Partitions.Length;
        var next = 0;
        for (var i = 0; i < members.Count; i++)
        {
            var count = (partitions / members.Count) + (i < partitions % members.Count ? 1 : 0);
            var assigned = new int[count];
            for (var j = 0; j < count; j++)
            {
                assigned[j] = next++;
            }

            members[i].AssignLocked(assigned);
        }

        WakeConsumersLocked();
    }

    /// <summary>Drops what every group has committed past, storing waiting appends when room appears.</summary>
    public void TrimLocked(int partition)
    {
        if (_groups.Count == 0)
        {
            return;
        }

        var min = long.MaxValue;
        foreach (var group in _groups.Values)
        {
            min = Math.Min(min, group.Committed[partition]);
        }

        if (Partitions[partition].TrimTo(min))
        {
            WakeConsumersLocked();
        }
    }

    public Task WaitForDataLocked() => (_dataWaiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void WakeConsumersLocked()
    {
        if (_dataWaiters is { } waiters)
        {
            _dataWaiters = null;
            waiters.TrySetResult();
        }
    }

    public void CloseLocked()
    {
        Closed = true;
        WakeConsumersLocked();
        foreach (var log in Partitions)
        {
            log.FailWaiting(StreamThrowHelper.Stopped(Name));
        }
    }
}
