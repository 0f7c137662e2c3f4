namespace DataWeaver.Connectors;

/// <summary>
/// Reads records of one pipeline run into source buffers, batch by batch. Sources that can read many records
/// at once (files, streams, generators) implement this through
/// <see cref="SourceConnector{T}.CreateReader"/>; the default reader pulls
/// <see cref="SourceConnector{T}.ReadAsync"/> one record at a time.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public abstract class SourceReader<T> : IAsyncDisposable
{
    /// <summary>
    /// Adds records to <paramref name="buffer"/> until it is full or no record is ready without waiting.
    /// Waits for the first record when none is ready, but MUST return as soon as at least one record was
    /// added and the next one is not ready, so records never wait for a batch to fill up.
    /// </summary>
    /// <param name="buffer">Where the records go.</param>
    /// <param name="cancellationToken">
    /// Signalled when the pipeline stops reading (drain) or aborts; stop waiting then. When it is already
    /// signalled at the call, add only records the source has already read (a read that completed), wait
    /// for nothing, and return <see langword="false"/>: this last call lets a drain deliver every record read.
    /// </param>
    /// <returns><see langword="false"/> once the source has no more records (what was added still counts).</returns>
    public abstract ValueTask<bool> FillAsync(SourceBuffer<T> buffer, CancellationToken cancellationToken);

    /// <summary>Releases what the reader holds. The default does nothing.</summary>
    /// <returns>A task that completes once released.</returns>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return default;
    }
}
