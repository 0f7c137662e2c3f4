using DataWeaver.Records;

namespace DataWeaver.Streams.Internal;

/// <summary>
/// A member of a consumer group of the in-process framework. Reads its partitions in turns of up to
/// <see cref="Turn"/> messages, so a reader gets long runs of one partition (one batch per partition in a
/// pipeline) and no partition starves.
/// </summary>
internal sealed class InProcessConsumer : IStreamConsumer
{
    private const int Turn = 1024;

    private readonly InProcessTopic _topic;
    private readonly ConsumerGroup _group;
    private readonly long[] _positions;
    private int[] _assigned = [];
    private int _cursor;
    private int _run;
    private bool _closed;

    public InProcessConsumer(InProcessTopic topic, ConsumerGroup group)
    {
        _topic = topic;
        _group = group;
        _positions = new long[topic.Partitions.Length];
    }

    public string Topic => _topic.Name;

    public string GroupId => _group.Id;

    public IReadOnlyList<int> Assignment
    {
        get
        {
            lock (_topic.Sync)
            {
                return [.. _assigned];
            }
        }
    }

    /// <summary>Takes over a new assignment: partitions it already had keep their read position, new ones start at the group's committed offset.</summary>
    public void AssignLocked(int[] partitions)
    {
        foreach (var partition in partitions)
        {
            if (Array.IndexOf(_assigned, partition) < 0)
            {
                _positions[partition] = _group.Committed[partition];
            }
        }

        _assigned = partitions;
        _cursor = 0;
        _run = 0;
    }

    public bool TryConsume(out StreamMessage message)
    {
        lock (_topic.Sync)
        {
            if (!_closed && !_topic.Closed)
            {
                var assigned = _assigned;
                var count = assigned.Length;
                for (var i = 0; i < count; i++)
                {
                    var index = (_cursor + i) % count;
                    var partition = assigned[index];
                    var log = _topic.Partitions[partition];
                    var offset = Math.Max(_positions[partition], log.Start);
                    if (offset >= log.End)
                    {
                        continue;
                    }

                    if (i != 0)
                    {
                        _cursor = index;
                        _run = 0;
                    }

                    if (++_run >= Turn)
                    {
                        _cursor = (index + 1) % count;
                        _run = 0;
                    }

                    _positions[partition] = offset + 1;
                    ref readonly var stored = ref log.At(offset);
                    message = new StreamMessage(
                        _topic.Name,
                        partition,
                        offset,
                        stored.Key,
                        stored.Value,
                        stored.Headers is null ? null : new RecordHeaders(stored.Headers),
                        stored.Timestamp);
                    return true;
                }
            }
        }

        message = default;
        return false;
    }

    public ValueTask<bool> WaitToConsumeAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<bool>(cancellationToken);
        }

        Task wait;
        lock (_topic.Sync)
        {
            if (TryGetReadyLocked(out var ready))
            {
                return new ValueTask<bool>(ready);
            }

            wait = _topic.WaitForDataLocked();
        }

        return WaitSlowAsync(wait, cancellationToken);
    }

    public ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled(cancellationToken);
        }

        lock (_topic.Sync)
        {
            if (_topic.Closed)
            {
                StreamThrowHelper.ThrowStopped(_topic.Name);
            }

            var partitions = _topic.Partitions;
            foreach (var position in positions)
            {
                if ((uint)position.Partition >= (uint)partitions.Length)
                {
                    StreamThrowHelper.ThrowUnknownPartition(_topic.Name, position.Partition, partitions.Length);
                }

                var log = partitions[position.Partition];
                if (Array.IndexOf(_assigned, position.Partition) >= 0 && (position.Offset < log.Start || position.Offset > log.End))
                {
                    StreamThrowHelper.ThrowInvalidOffset(_topic.Name, position.Partition, position.Offset, log.Start, log.End);
                }
            }

            foreach (var position in positions)
            {
                if (Array.IndexOf(_assigned, position.Partition) >= 0)
                {
                    _group.Committed[position.Partition] = position.Offset;
                    _topic.TrimLocked(position.Partition);
                }
            }
        }

        return default;
    }

    public ValueTask<IReadOnlyList<SourcePosition>> GetCommittedOffsetsAsync(CancellationToken cancellationToken = default)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<IReadOnlyList<SourcePosition>>(cancellationToken);
        }

        lock (_topic.Sync)
        {
            var result = new SourcePosition[_group.Committed.Length];
            for (var p = 0; p < result.Length; p++)
            {
                result[p] = new SourcePosition(p, _group.Committed[p]);
            }

            return new ValueTask<IReadOnlyList<SourcePosition>>(result);
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_topic.Sync)
        {
            if (!_closed)
            {
                _closed = true;
                _group.Members.Remove(this);
                _assigned = [];
                _topic.RebalanceLocked(_group);
            }
        }

        return default;
    }

    private bool TryGetReadyLocked(out bool ready)
    {
        if (_closed || _topic.Closed)
        {
            ready = false;
            return true;
        }

        foreach (var partition in _assigned)
        {
            var log = _topic.Partitions[partition];
            if (Math.Max(_positions[partition], log.Start) < log.End)
            {
                ready = true;
                return true;
            }
        }

        ready = false;
        return false;
    }

    private async ValueTask<bool> WaitSlowAsync(Task wait, CancellationToken cancellationToken)
    {
        while (true)
        {
            await wait.WaitAsync(cancellationToken).ConfigureAwait(false);
            lock (_topic.Sync)
            {
                if (TryGetReadyLocked(out var ready))
                {
                    return ready;
                }

                wait = _topic.WaitForDataLocked();
            }
        }
    }
}
