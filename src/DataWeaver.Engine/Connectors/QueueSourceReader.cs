using System.Threading.Channels;

namespace DataWeaver.Connectors;

/// <summary>
/// A reader that hands the pipeline what a connector's own loops queued: the base for sources that are pushed to (a
/// server that accepts requests, a socket that reads frames). The connector writes chunks of records (a request's
/// records, a read's frames) to a <see cref="Channel{T}"/>; this reader takes them off and adds their records to the
/// pipeline's buffers. It keeps the <see cref="SourceReader{T}.FillAsync"/> contract for them:
/// <list type="bullet">
/// <item>a fill waits only while nothing is queued, and only for the first chunk: then it hands over what is queued
/// without waiting for more;</item>
/// <item>a chunk that does not fit stays for the next fill: split at the buffer's end, or not started until a fill has
/// room for it whole (<see cref="SplitChunks"/>);</item>
/// <item>the last fill of a drain (its token already signalled) waits for nothing, hands over what fits and then calls
/// <see cref="OnDrained"/>, where the connector refuses or drops what is still queued;</item>
/// <item><see cref="DisposeAsync"/> hands a chunk that was only partly handed over to <see cref="ReleasePartial"/>.</item>
/// </list>
/// A queue whose writer is completed ends the source once it is empty.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
/// <typeparam name="TChunk">What the connector queues: several records that arrived together.</typeparam>
public abstract class QueueSourceReader<T, TChunk> : SourceReader<T>
    where TChunk : class
{
    private readonly ChannelReader<TChunk> _queue;
    private TChunk? _current;

    /// <summary>Creates the reader over the connector's queue.</summary>
    /// <param name="queue">The reading end of the queue the connector writes its chunks to; one reader per queue.</param>
    /// <param name="splitChunks">
    /// Whether a chunk may start in a fill without room for all of it. The default is <see langword="true"/>: records
    /// are independent (frames of a stream), so a fill is topped up with the start of the next chunk.
    /// <see langword="false"/>: a chunk starts only in a fill with room for it whole, or in an empty fill (a chunk larger
    /// than a batch is then split), so a request's records travel in one batch when they can. Needs a queue that can
    /// peek (<see cref="ChannelReader{T}.CanPeek"/>; the channels of <see cref="Channel"/> can).
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="splitChunks"/> is <see langword="false"/> and the queue cannot peek.</exception>
    protected QueueSourceReader(ChannelReader<TChunk> queue, bool splitChunks = true)
    {
        ArgumentNullException.ThrowIfNull(queue);
        if (!splitChunks && !queue.CanPeek)
        {
            throw new ArgumentException("Handing chunks over whole needs a queue that can peek (ChannelReader.CanPeek).", nameof(queue));
        }

        _queue = queue;
        SplitChunks = splitChunks;
    }

    /// <summary>Gets a value indicating whether a chunk may start in a fill without room for all of it.</summary>
    /// <value>As given to the constructor; the default is <see langword="true"/>.</value>
    protected bool SplitChunks { get; }

    /// <inheritdoc />
    public sealed override async ValueTask<bool> FillAsync(SourceBuffer<T> buffer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buffer);
        if (cancellationToken.IsCancellationRequested)
        {
            // The last fill of a drain: hand over what is queued and fits, then let the connector deal with the rest.
            Add(buffer);
            OnDrained();
            return false;
        }

        if (_current is null && !_queue.TryPeek(out _) && !await _queue.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return false; // the writer completed the queue and everything in it was handed over
        }

        Add(buffer);
        return true;
    }

    /// <summary>Hands a chunk that was only partly handed over to <see cref="ReleasePartial"/>, then disposes the reader.</summary>
    /// <returns>A task that completes once released.</returns>
    public override ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _current, null) is { } partial)
        {
            ReleasePartial(partial);
        }

        GC.SuppressFinalize(this);
        return base.DisposeAsync();
    }

    /// <summary>How many records of <paramref name="chunk"/> have not been handed over yet.</summary>
    /// <param name="chunk">A chunk taken off the queue.</param>
    /// <returns>The count; 0 once every record was added.</returns>
    protected abstract int Remaining(TChunk chunk);

    /// <summary>
    /// Adds the next <paramref name="count"/> records of <paramref name="chunk"/> to <paramref name="buffer"/>, from where the
    /// last call stopped (records with <c>Add</c>, or <see cref="SourceBuffer{T}.Reject"/> for those that cannot be read),
    /// and advances the chunk so that <see cref="Remaining"/> is <paramref name="count"/> less. <paramref name="count"/> is
    /// at least 1 and fits in both the buffer and the chunk. Runs on the pipeline's reading loop: MUST NOT block.
    /// </summary>
    /// <param name="buffer">Where the records go.</param>
    /// <param name="chunk">The chunk being handed over.</param>
    /// <param name="count">How many records to add.</param>
    protected abstract void AddRecords(SourceBuffer<T> buffer, TChunk chunk, int count);

    /// <summary>Called once the last record of <paramref name="chunk"/> is in a buffer. The default does nothing.</summary>
    /// <param name="chunk">The chunk handed over whole.</param>
    protected virtual void OnHandedOver(TChunk chunk)
    {
    }

    /// <summary>
    /// Called by the last fill of a drain, after it handed over what fit: stop taking new chunks and release those still
    /// queued (they will never be delivered). The default does nothing.
    /// </summary>
    protected virtual void OnDrained()
    {
    }

    /// <summary>
    /// Called by <see cref="DisposeAsync"/> for a chunk that was only partly handed over when the run ended: the rest of it
    /// will never be delivered. The default does nothing.
    /// </summary>
    /// <param name="chunk">The chunk; <see cref="Remaining"/> says how much of it is left.</param>
    protected virtual void ReleasePartial(TChunk chunk)
    {
    }

    private void Add(SourceBuffer<T> buffer)
    {
        while (buffer.Remaining > 0)
        {
            var chunk = _current;
            if (chunk is null)
            {
                if (!TryTake(buffer, out chunk))
                {
                    return;
                }

                _current = chunk;
            }

            var left = Remaining(chunk);
            var take = Math.Min(left, buffer.Remaining);
            if (take > 0)
            {
                AddRecords(buffer, chunk, take);
                if (Remaining(chunk) != left - take)
                {
                    ThrowNotAdvanced(); // otherwise this loop could spin or skip records
                }

                left -= take;
            }

            if (left <= 0)
            {
                _current = null;
                OnHandedOver(chunk);
            }
        }
    }

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void ThrowNotAdvanced() =>
        throw new InvalidOperationException("AddRecords must add the records it was asked for and advance the chunk by as many (Remaining).");

    private bool TryTake(SourceBuffer<T> buffer, out TChunk chunk)
    {
        if (!SplitChunks && (!_queue.TryPeek(out var next) || Remaining(next) > buffer.Remaining && buffer.Count > 0))
        {
            chunk = null!;
            return false; // nothing more, or the next chunk fits whole in the next fill
        }

        return _queue.TryRead(out chunk!);
    }
}
