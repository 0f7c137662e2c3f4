using DataWeaver.Connectors;

namespace DataWeaver.Testing.Contracts;

/// <summary>
/// The sink the source contract suite reads into: keeps the sequence id of every record written, in write order, and
/// can hold writes at a gate (a slow sink) or stop acknowledging after some records (a sink whose later writes never
/// became durable). Thread-safe.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class SequenceProbeSink<T> : SinkConnector<T>
{
    private readonly Func<T, long> _sequence;
    private readonly List<long> _ids = [];
    private readonly List<long> _unacknowledged = [];
    private readonly List<SinkAcknowledgement> _held = [];
    private readonly SemaphoreSlim? _gate;
    private long _acknowledged;
    private int _waiting;

    /// <summary>Creates the sink.</summary>
    /// <param name="sequence">Reads a record's sequence id. Called during the write, while the record is valid.</param>
    /// <param name="gated">Whether each write waits for <see cref="Release"/> first.</param>
    /// <param name="acknowledgeLimit">
    /// Acknowledge batches only until this many records were acknowledged; later batches are written (their ids kept in
    /// <see cref="Unacknowledged"/>) but never acknowledged. <see langword="null"/> acknowledges every batch.
    /// </param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>probe</c>.</param>
    public SequenceProbeSink(Func<T, long> sequence, bool gated = false, long? acknowledgeLimit = null, string? name = null)
        : base(name ?? "probe")
    {
        ArgumentNullException.ThrowIfNull(sequence);
        _sequence = sequence;
        _gate = gated ? new SemaphoreSlim(0) : null;
        AcknowledgeLimit = acknowledgeLimit;
    }

    /// <summary>Gets the acknowledgement limit (see the constructor).</summary>
    public long? AcknowledgeLimit { get; }

    /// <summary>Gets the sequence ids written so far, in write order.</summary>
    public IReadOnlyList<long> Ids
    {
        get
        {
            lock (_ids)
            {
                return [.. _ids];
            }
        }
    }

    /// <summary>Gets how many records were written so far.</summary>
    public int Count
    {
        get
        {
            lock (_ids)
            {
                return _ids.Count;
            }
        }
    }

    /// <summary>Gets the ids of the records written but never acknowledged (past <see cref="AcknowledgeLimit"/>).</summary>
    public IReadOnlyList<long> Unacknowledged
    {
        get
        {
            lock (_ids)
            {
                return [.. _unacknowledged];
            }
        }
    }

    /// <summary>Gets how many records were acknowledged.</summary>
    public long Acknowledged => Interlocked.Read(ref _acknowledged);

    /// <summary>Gets how many writes wait at the gate now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>Gets or sets what runs at the start of every write, before the gate: a probe of the pipeline (read counts) at that moment.</summary>
    public Action? OnWrite { get; set; }

    /// <summary>Gets or sets what sees every record written, during the write (the record is valid only then).</summary>
    public Action<T>? Inspect { get; set; }

    /// <summary>Lets <paramref name="writes"/> more writes through the gate.</summary>
    /// <param name="writes">How many.</param>
    /// <exception cref="InvalidOperationException">The sink is not gated.</exception>
    public void Release(int writes = 1)
    {
        if (_gate is null)
        {
            throw new InvalidOperationException("The sink is not gated.");
        }

        _gate.Release(writes);
    }

    /// <summary>Opens the gate for good: every write from now on goes through.</summary>
    public void OpenGate() => _gate?.Release(int.MaxValue / 2);

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("The probe writes through WriteBatchAsync.");

    /// <inheritdoc />
    public override async ValueTask WriteBatchAsync(ReadOnlyMemory<T> batch, SinkAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
    {
        OnWrite?.Invoke();
        if (_gate is not null)
        {
            Interlocked.Increment(ref _waiting);
            try
            {
                await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _waiting);
            }
        }

        var acknowledge = AcknowledgeLimit is not { } limit || Acknowledged < limit;
        lock (_ids)
        {
            foreach (var record in batch.Span)
            {
                Inspect?.Invoke(record);
                var id = _sequence(record);
                _ids.Add(id);
                if (!acknowledge)
                {
                    _unacknowledged.Add(id);
                }
            }

            if (!acknowledge)
            {
                _held.Add(acknowledgement); // kept, never acknowledged: the records never became durable
            }
        }

        if (acknowledge)
        {
            Interlocked.Add(ref _acknowledged, batch.Length);
            acknowledgement.Acknowledge();
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds or <paramref name="stopWaiting"/> completes, polling every few milliseconds.</summary>
    /// <param name="condition">What to wait for.</param>
    /// <param name="stopWaiting">Ends the wait early (the run's completion).</param>
    /// <param name="guard">Fails the wait after this long: a guard against a hang, not a performance limit.</param>
    /// <returns><see langword="true"/> when the condition holds.</returns>
    /// <exception cref="TimeoutException">The guard passed.</exception>
    public static async Task<bool> WaitUntilAsync(Func<bool> condition, Task stopWaiting, TimeSpan guard)
    {
        ArgumentNullException.ThrowIfNull(condition);
        ArgumentNullException.ThrowIfNull(stopWaiting);
        var started = TimeProvider.System.GetTimestamp();
        while (!condition())
        {
            if (stopWaiting.IsCompleted)
            {
                return condition();
            }

            if (TimeProvider.System.GetElapsedTime(started) > guard)
            {
                throw new TimeoutException($"Waited {guard} (the contract's guard against hangs) and the condition still does not hold.");
            }

            await Task.Delay(5).ConfigureAwait(false);
        }

        return true;
    }
}
