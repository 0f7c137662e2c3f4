namespace DataWeaver.Internal;

/// <summary>
/// Counts records and bytes in flight and makes senders wait while the bound is reached. Records are a hard
/// bound (credits are taken before records are read); bytes are checked before each batch is admitted, so
/// they can overshoot by at most one batch per concurrent sender. Every counter changes under one lock.
/// </summary>
internal sealed class CapacityGate
{
    private readonly Lock _lock = new();
    private readonly Queue<Waiter> _waiters = new();
    private long _records;
    private long _bytes;
    private long _peakRecords;
    private long _reserved;

    public CapacityGate(long maxRecords, long maxBytes)
    {
        MaxRecords = maxRecords;
        MaxBytes = maxBytes;
    }

    public long MaxRecords { get; }

    /// <summary>Gets the byte bound; 0 means none.</summary>
    public long MaxBytes { get; }

    public long Records => Interlocked.Read(ref _records);

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>Gets the most records ever in flight at once (read and not yet handed back), credits reserved for a fill excluded.</summary>
    public long PeakRecords => Interlocked.Read(ref _peakRecords);

    /// <summary>
    /// Gets the records in flight: read and not yet handed back. Credits the source took for a fill that has not
    /// returned yet are not records (an idle source waiting for data holds a batch of credits and no record).
    /// </summary>
    public long RecordsInFlight
    {
        get
        {
            lock (_lock)
            {
                return _records - _reserved;
            }
        }
    }

    /// <summary>
    /// Turns the credits of a fill into records: <paramref name="read"/> of the <paramref name="reserved"/> credits taken
    /// by <see cref="WaitAsync"/> are records now, with their bytes; the others are handed back.
    /// </summary>
    public void Admit(int reserved, int read, long bytes)
    {
        lock (_lock)
        {
            _reserved -= reserved;
            _bytes += bytes;
            var inFlight = _records - (reserved - read) - _reserved;
            if (inFlight > _peakRecords)
            {
                _peakRecords = inFlight;
            }
        }

        Release(reserved - read, 0);
    }

    /// <summary>Takes <paramref name="records"/> credits, waiting until they fit.</summary>
    public ValueTask WaitAsync(int records, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_waiters.Count == 0 && Fits(records))
            {
                Take(records);
                return default;
            }

            var waiter = new Waiter(records);
            _waiters.Enqueue(waiter);
            if (cancellationToken.CanBeCanceled)
            {
                waiter.Registration = cancellationToken.Register(
                    static state => ((Waiter)state!).Completion.TrySetCanceled(), waiter);
            }

            return new ValueTask(waiter.Completion.Task);
        }
    }

    public void AddBytes(long bytes)
    {
        if (bytes != 0)
        {
            lock (_lock)
            {
                _bytes += bytes;
            }
        }
    }

    public void Release(long records, long bytes)
    {
        List<Waiter>? ready = null;
        lock (_lock)
        {
            _records -= records;
            _bytes -= bytes;
            while (_waiters.TryPeek(out var head))
            {
                if (head.Completion.Task.IsCompleted)
                {
                    _waiters.Dequeue();
                    continue;
                }

                if (!Fits(head.Records))
                {
                    break;
                }

                _waiters.Dequeue();
                Take(head.Records);
                (ready ??= []).Add(head);
            }
        }

        if (ready is null)
        {
            return;
        }

        foreach (var waiter in ready)
        {
            waiter.Registration.Dispose();
            if (!waiter.Completion.TrySetResult())
            {
                // Cancelled while being granted: hand the credits back.
                lock (_lock)
                {
                    _reserved -= waiter.Records;
                }

                Release(waiter.Records, 0);
            }
        }
    }

    private bool Fits(int records) =>
        _records + records <= MaxRecords && (MaxBytes == 0 || _bytes < MaxBytes);

    private void Take(int records)
    {
        _records += records;
        _reserved += records;
    }

    private sealed class Waiter(int records)
    {
        public int Records { get; } = records;

        public TaskCompletionSource Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public CancellationTokenRegistration Registration { get; set; }
    }
}
