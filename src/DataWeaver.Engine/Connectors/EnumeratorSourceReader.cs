namespace DataWeaver.Connectors;

/// <summary>
/// A reader over an asynchronous sequence of items that a source turns into records or rejections one at a time:
/// the base for connectors whose client library hands out one message or change after another. It keeps the
/// <see cref="SourceReader{T}.FillAsync"/> contract for them: it waits only for the first item of a fill, hands over
/// what it has as soon as the next item is not ready (that read stays pending for the next fill), and on a stop adds
/// only items already read. <see cref="DisposeAsync"/> lets a pending read settle before it disposes the sequence.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <typeparam name="TItem">What the sequence yields: a record, or a message that may turn out undecodable.</typeparam>
public abstract class EnumeratorSourceReader<T, TItem> : SourceReader<T>
{
    private IAsyncEnumerator<TItem>? _items;
    private ValueTask<bool>? _pending;

    /// <summary>Opens the sequence; called once per run, at the first fill, with the run's read token.</summary>
    /// <param name="cancellationToken">The run's read token, the same for every fill of the run.</param>
    /// <returns>The sequence's enumerator.</returns>
    protected abstract IAsyncEnumerator<TItem> OpenItems(CancellationToken cancellationToken);

    /// <summary>
    /// Adds one item to <paramref name="buffer"/>: one of its <c>Add</c> methods for a
    /// record, or <see cref="SourceBuffer{T}.Reject"/> for an item the source cannot read.
    /// </summary>
    /// <param name="buffer">Where the record goes.</param>
    /// <param name="item">The item just read.</param>
    protected abstract void AddItem(SourceBuffer<T> buffer, TItem item);

    /// <inheritdoc />
    public sealed override async ValueTask<bool> FillAsync(SourceBuffer<T> buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);

        // The token of the first fill is the run's read token; it stays the same for every fill of the run.
        _items ??= OpenItems(cancellationToken);
        var added = 0;
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
                next = _items.MoveNextAsync();
            }

            if (!next.IsCompleted && (added > 0 || buffer.Count > 0 || cancellationToken.IsCancellationRequested))
            {
                // Hand over what is here (a rejected item too) rather than wait; the read stays pending for the next fill.
                _pending = next;
                return !cancellationToken.IsCancellationRequested;
            }

            if (!await next.ConfigureAwait(false))
            {
                return false;
            }

            AddItem(buffer, _items.Current);
            added++;
        }

        return true;
    }

    /// <inheritdoc />
    public override async ValueTask DisposeAsync()
    {
        if (_items is not null)
        {
            if (_pending is { } pending)
            {
                // A read was in flight when the run stopped; let it settle before disposing the sequence.
                try
                {
                    await pending.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }

            await _items.DisposeAsync().ConfigureAwait(false);
        }

        await base.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }
}
