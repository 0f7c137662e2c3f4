namespace DataWeaver.Connectors;

/// <summary>The default reader: pulls <see cref="SourceConnector{T}.ReadAsync"/> one record at a time.</summary>
internal sealed class EnumerableSourceReader<T> : SourceReader<T>
{
    private readonly SourceConnector<T> _source;
    private IAsyncEnumerator<T>? _enumerator;
    private ValueTask<bool>? _pending;
    private long _ordinal;

    public EnumerableSourceReader(SourceConnector<T> source)
    {
        _source = source;
    }

    public override async ValueTask<bool> FillAsync(SourceBuffer<T> buffer, CancellationToken cancellationToken)
    {
        // The token of the first fill is the run's read token; it stays the same for every fill of the run.
        _enumerator ??= _source.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (!buffer.IsFull)
        {
            ValueTask<bool> next;
            if (_pending is { } pending)
            {
                next = pending;
                _pending = null;
            }
            else if (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
            else
            {
                next = _enumerator.MoveNextAsync();
            }

            if (!next.IsCompleted && (buffer.Count > 0 || cancellationToken.IsCancellationRequested))
            {
                // Hand over what we have rather than wait; the read stays pending for the next fill.
                _pending = next;
                return !cancellationToken.IsCancellationRequested;
            }

            if (!await next.ConfigureAwait(false))
            {
                return false;
            }

            var record = _enumerator.Current;
            buffer.Add(record, _source.GetResumePosition(record, _ordinal), _source.GetSize(record));
            _ordinal++;
        }

        return true;
    }

    public override async ValueTask DisposeAsync()
    {
        if (_enumerator is not null)
        {
            if (_pending is { } pending)
            {
                // A read was in flight when the run stopped; let it settle before disposing the enumerator.
                try
                {
                    await pending.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }

            await _enumerator.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
    }
}
