using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Testing.Faults;

/// <summary>
/// Wraps a source and injects faults into its reads (see <see cref="FaultOptions"/>): each fill of a batch (or each
/// record of <see cref="ReadAsync"/>) is one call. Open, close, commit and process are passed on.
/// </summary>
/// <remarks>
/// <see cref="SourceConnector{T}.OnAcknowledged"/> cannot be passed on (the engine calls it on the wrapper, and it is
/// not public): wrap sources that learn of acknowledgements through <see cref="CommitAsync"/>. A wrapped stream or Kafka
/// source still commits correctly, but loses its drain on rebalance (a rebalance then duplicates more).
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public sealed class FaultInjectingSource<T> : SourceConnector<T>
{
    private readonly SourceConnector<T> _inner;

    /// <summary>Creates the wrapper.</summary>
    /// <param name="inner">The source to wrap.</param>
    /// <param name="faults">The faults to inject into its reads.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>faulty:</c> and the wrapped source's name.</param>
    public FaultInjectingSource(SourceConnector<T> inner, FaultOptions faults, string? name = null)
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
    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default) =>
        _inner.CommitAsync(positions, cancellationToken);

    /// <inheritdoc />
    public override async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in _inner.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            await Injector.BeforeCallAsync(cancellationToken).ConfigureAwait(false);
            yield return record;
        }
    }

    /// <inheritdoc />
    public override SourceReader<T> CreateReader() => new Reader(_inner.CreateReader(), Injector);

    private sealed class Reader(SourceReader<T> inner, FaultInjector injector) : SourceReader<T>
    {
        public override async ValueTask<bool> FillAsync(SourceBuffer<T> buffer, CancellationToken cancellationToken)
        {
            if (!cancellationToken.IsCancellationRequested)
            {
                // A drain's last fill delivers what was read: no fault there, it would lose nothing but prove nothing.
                await injector.BeforeCallAsync(cancellationToken).ConfigureAwait(false);
            }

            return await inner.FillAsync(buffer, cancellationToken).ConfigureAwait(false);
        }

        public override async ValueTask DisposeAsync()
        {
            await inner.DisposeAsync().ConfigureAwait(false);
            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
