namespace DataWeaver.Streams.Internal;

/// <summary>
/// One partition: a bounded append-only log in a ring buffer. Offsets from <see cref="Start"/> (inclusive) to
/// <see cref="End"/> (exclusive) are held. Guarded by the topic's lock.
/// </summary>
internal sealed class PartitionLog(int index, int capacity)
{
    private readonly StoredMessage[] _ring = new StoredMessage[capacity];
    private TaskCompletionSource? _spaceWaiters;

    public int Index { get; } = index;

    public long Start { get; private set; }

    public long End { get; private set; }

    public bool IsFull => End - Start >= _ring.Length;

    public long Append(in StoredMessage message)
    {
        _ring[End % _ring.Length] = message;
        return End++;
    }

    public ref readonly StoredMessage At(long offset) => ref _ring[offset % _ring.Length];

    /// <summary>Drops every message before <paramref name="offset"/> and wakes producers waiting for room.</summary>
    public void TrimTo(long offset)
    {
        if (offset <= Start)
        {
            return;
        }

        for (var o = Start; o < offset; o++)
        {
            _ring[o % _ring.Length] = default;
        }

        Start = offset;
        WakeProducers();
    }

    /// <summary>Gets a task that completes when room may have appeared (or the topic closed).</summary>
    public Task WaitForSpace() => (_spaceWaiters ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void WakeProducers()
    {
        if (_spaceWaiters is { } waiters)
        {
            _spaceWaiters = null;
            waiters.TrySetResult();
        }
    }
}
