namespace DataWeaver.Streams.Internal;

/// <summary>
/// One partition: a bounded append-only log in a ring buffer. Offsets from <see cref="Start"/> (inclusive) to
/// <see cref="End"/> (exclusive) are held. Appends that find it full wait in a first-in first-out queue, so
/// messages land in the order they were produced even when the partition fills up. Guarded by the topic's lock.
/// </summary>
internal sealed class PartitionLog(int index, int capacity)
{
    private readonly StoredMessage[] _ring = new StoredMessage[capacity];
    private readonly Queue<PendingAppend> _pending = new();

    public int Index { get; } = index;

    public long Start { get; private set; }

    public long End { get; private set; }

    /// <summary>Gets whether an append must wait: the log is full, or earlier appends are already waiting.</summary>
    public bool MustWait => End - Start >= _ring.Length || _pending.Count > 0;

    public long Append(in StoredMessage message)
    {
        _ring[End % _ring.Length] = message;
        return End++;
    }

    public ref readonly StoredMessage At(long offset) => ref _ring[offset % _ring.Length];

    /// <summary>Queues an append behind the ones already waiting; it completes with its offset once stored.</summary>
    public PendingAppend Enqueue(in StoredMessage message)
    {
        var pending = new PendingAppend(message);
        _pending.Enqueue(pending);
        return pending;
    }

    /// <summary>
    /// Drops every message before <paramref name="offset"/> and stores waiting appends, oldest first, while there is
    /// room. Returns whether anything was stored.
    /// </summary>
    public bool TrimTo(long offset)
    {
        if (offset <= Start)
        {
            return false;
        }

        for (var o = Start; o < offset; o++)
        {
            _ring[o % _ring.Length] = default;
        }

        Start = offset;
        var stored = false;
        while (End - Start < _ring.Length && _pending.TryDequeue(out var pending))
        {
            if (pending.TryStore(End))
            {
                Append(pending.Message);
                stored = true;
            }
        }

        return stored;
    }

    /// <summary>Fails every waiting append (the framework stopped).</summary>
    public void FailWaiting(Exception error)
    {
        while (_pending.TryDequeue(out var pending))
        {
            pending.Fail(error);
        }
    }
}
