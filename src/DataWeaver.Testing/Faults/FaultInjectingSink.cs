using DataWeaver.Connectors;

namespace DataWeaver.Testing.Faults;

/// <summary>
/// Wraps a sink and injects faults into its writes (see <see cref="FaultOptions"/>): fail every n-th write, fail
/// transiently then succeed, write slowly, hang until cancelled, throw a data error. A faulted call never reaches the
/// wrapped sink, so it writes nothing and acknowledges nothing. Everything else (open, close, flush, process) is passed on.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class FaultInjectingSink<T> : SinkConnector<T>
{
    private readonly SinkConnector<T> _inner;

    /// <summary>Creates the wrapper.</summary>
    /// <param name="inner">The sink to wrap.</param>
    /// <param name="faults">The faults to inject into its writes.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>faulty:</c> and the wrapped sink's name.</param>
    public FaultInjectingSink(SinkConnector<T> inner, FaultOptions faults, string? name = null)
        : base(name ?? "faulty:" + inner?.Name)
    {
        ArgumentNullException.ThrowIfNull(inner);
        _inner = inner;
        Injector = new FaultInjector(faults, Name);
    }

    /// <summary>Gets the injector, which counts the calls and the faults injected.</summary>
    public FaultInjector Injector { get; }

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
        await _inner.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask WriteBatchAsync(ReadOnlyMemory<T> batch, SinkAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
    {
        await Injector.BeforeCallAsync(cancellationToken).ConfigureAwait(false);
        await _inner.WriteBatchAsync(batch, acknowledgement, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override ValueTask FlushAsync(CancellationToken cancellationToken = default) => _inner.FlushAsync(cancellationToken);
}
