using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Formats;

/// <summary>Writes records into one file (see <see cref="RecordFileFormat.CreateWriter"/>). Not thread-safe: one sink drives it.</summary>
public abstract class RecordFileWriter : IAsyncDisposable
{
    /// <summary>
    /// Writes a batch and pushes it to the stream (a line format writes its lines, a container format ends a block), so
    /// that once this completes the batch is in the stream.
    /// </summary>
    /// <param name="batch">The records, in order; valid only until the task completes.</param>
    /// <param name="cancellationToken">Aborts the write.</param>
    /// <returns>A task that completes once the batch is written to the stream.</returns>
    /// <exception cref="Errors.DataWeaverException">A record does not fit the format (a data error naming it).</exception>
    public abstract ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken);

    /// <summary>Writes what ends the file (nothing for lines), once, after the last batch of a successful run.</summary>
    /// <param name="cancellationToken">Aborts the write.</param>
    /// <returns>A task that completes once written.</returns>
    public virtual ValueTask CompleteAsync(CancellationToken cancellationToken) => default;

    /// <summary>Releases the writer (not its stream).</summary>
    /// <returns>A task that completes once released.</returns>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return default;
    }
}
