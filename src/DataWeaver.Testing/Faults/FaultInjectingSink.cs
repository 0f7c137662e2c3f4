using DataWeaver.Connectors;

namespace DataWeaver.Testing.Faults;

/// <summary>
/// Wraps a sink and injects faults into its writes (see <see cref="FaultOptions"/>): fail every n-th write, fail
/// transiently then succeed, write slowly, hang until cancelled, throw a data error. A faulted call never reaches the
/// wrapped sink, so it writes nothing and acknowledges nothing. Poison records (a predicate) fail every write that holds
/// them with a data error, so the engine's isolation (one record at a time) dead-letters exactly them. Everything else
/// (open, close, flush, process) is passed on.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class FaultInjectingSink<T> : SinkConnector<T>
{
    private readonly SinkConnector<T> _inner;
    private readonly Func<T, bool>? _isPoison;
    private long _poisoned;

    /// <summary>Creates the wrapper.</summary>
    /// <param name="inner">The sink to wrap.</param>
    /// <param name="faults">The faults to inject into its writes.</param>
    /// <param name="isPoison">Picks the records the wrapped system refuses as bad data; <see langword="null"/> refuses none.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>faulty:</c> and the wrapped sink's name.</param>
    public FaultInjectingSink(SinkConnector<T> inner, FaultOptions faults, Func<T, bool>? isPoison = null, string? name = null)
        : base(name ?? "faulty:" + inner?.Name)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        _isPoison = isPoison;
        Injector = new FaultInjector(faults, Name);
    }

    /// <summary>Gets the injector, which counts the calls and the faults injected.</summary>
    public FaultInjector Injector { get; }

    /// <summary>Gets how many writes failed because they held a poison record.</summary>
    public long PoisonedWrites => Interlocked.Read(ref _poisoned);

    /// <inheritdoc />
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default) => _inner.OpenAsync(cancellationToken);

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken = default) => _inner.CloseAsync(cancellationToken);

    /// <inheritdoc />
    public override T Process(T message) => _inner.Process(message);

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
    {
        await Injector.BeforeCallAsync(cancellationToken).ConfigureAwait(false);
        RefusePoison(batch.Span);
        await _inner.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask WriteBatchAsync(ReadOnlyMemory<T> batch, SinkAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
    {
        await Injector.BeforeCallAsync(cancellationToken).ConfigureAwait(false);
        RefusePoison(batch.Span);
        await _inner.WriteBatchAsync(batch, acknowledgement, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override ValueTask FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);

    private void RefusePoison(ReadOnlySpan<T> batch)
    {
        if (_isPoison is null)
        {
            return;
        }

        foreach (var record in batch)
        {
            if (_isPoison(record))
            {
                Interlocked.Increment(ref _poisoned);
                throw new InjectedFaultException(Errors.ErrorClass.Data, $"Injected fault in {Name}: the batch holds a poison record.");
            }
        }
    }
}
