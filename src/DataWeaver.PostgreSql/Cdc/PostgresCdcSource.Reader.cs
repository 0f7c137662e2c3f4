using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>The pipeline's reader: changes into source buffers, undecodable ones rejected to the source error policy.</summary>
public sealed partial class PostgresCdcSource
{
    private sealed class ChangeReader(PostgresCdcSource source) : SourceReader<JsonRecord>
    {
        private IAsyncEnumerator<Change>? _changes;
        private ValueTask<bool>? _pending;
        private long _ordinal;

        public override async ValueTask<bool> FillAsync(SourceBuffer<JsonRecord> buffer, CancellationToken cancellationToken)
        {
            // The token of the first fill is the run's read token; it stays the same for every fill of the run.
            _changes ??= source.ReadChangesAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
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
                    next = _changes.MoveNextAsync();
                }

                if (!next.IsCompleted && (added > 0 || cancellationToken.IsCancellationRequested))
                {
                    // Hand over what is here (a rejected change too) rather than wait; the read stays pending for the next fill.
                    _pending = next;
                    return !cancellationToken.IsCancellationRequested;
                }

                if (!await next.ConfigureAwait(false))
                {
                    return false;
                }

                var change = _changes.Current;
                var position = new SourcePosition(0, _ordinal++);
                var resume = new SourcePosition(0, _ordinal);
                if (change.Error is { } error)
                {
                    buffer.Reject(error, position, resume, change.Raw);
                }
                else
                {
                    buffer.Add(change.Record, resume);
                }

                added++;
            }

            return true;
        }

        public override async ValueTask DisposeAsync()
        {
            if (_changes is not null)
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

                await _changes.DisposeAsync().ConfigureAwait(false);
            }

            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}
