using DataWeaver.Checkpoints;

namespace DataWeaver.Configuration.Formats;

/// <summary>
/// Reads the records of one file in order (see <see cref="RecordFileFormat.CreateReader"/>). Not thread-safe: one
/// source reader drives it.
/// </summary>
public abstract class RecordFileReader : IAsyncDisposable
{
    /// <summary>Gets the item <see cref="MoveNextAsync"/> read last.</summary>
    public RecordFileItem Current { get; protected set; }

    /// <summary>
    /// Gets a value indicating whether the next <see cref="MoveNextAsync"/> completes without waiting for input (the next
    /// item is already buffered, or the input ended). Sources of live input (standard input) hand the records read so far
    /// to the pipeline instead of waiting. The default is <see langword="true"/>.
    /// </summary>
    public virtual bool IsNextBuffered => true;

    /// <summary>
    /// Gets or sets a value indicating whether bytes at the end of the input that are not a complete record (a last line
    /// without its line end, a length-delimited message or an Avro block cut short) are read as a final record: decoded
    /// if they can be, else reported as undecodable with their bytes. Set it before the first <see cref="MoveNextAsync"/>.
    /// </summary>
    /// <value>
    /// The default is <see langword="false"/>: a file may still be being written, so such bytes are neither read nor
    /// passed (no resume position lies after them); <see cref="IncompleteTailBytes"/> tells how many there were, and a
    /// later read gets the record once it is complete.
    /// </value>
    public bool ReadIncompleteLastRecord { get; set; }

    /// <summary>
    /// Gets how many bytes after the last complete record <see cref="MoveNextAsync"/> left unread once it returned
    /// <see langword="false"/> (see <see cref="ReadIncompleteLastRecord"/>); 0 when the input ended with a complete record.
    /// </summary>
    public long IncompleteTailBytes { get; protected set; }

    /// <summary>Gets where the bytes of <see cref="IncompleteTailBytes"/> start, in the format's positions (a byte offset, a record ordinal).</summary>
    public long IncompleteTailPosition { get; protected set; }

    /// <summary>
    /// Reads the next item into <see cref="Current"/>: a record, or undecodable bytes with their error (a reader reports
    /// bad input this way and goes on; it throws only when it cannot go on, e.g. a corrupt container header).
    /// </summary>
    /// <param name="cancellationToken">Aborts the read.</param>
    /// <returns><see langword="false"/> at the end of the file.</returns>
    public abstract ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Moves to a resume position from a checkpoint, before the first <see cref="MoveNextAsync"/>. The default reads and
    /// drops items until one resumes at <paramref name="resumePosition"/>; readers of seekable files seek instead.
    /// </summary>
    /// <param name="resumePosition">A <see cref="RecordFileItem.ResumePosition"/> of an earlier run.</param>
    /// <param name="cancellationToken">Aborts the skip.</param>
    /// <returns>A task that completes once the next item is the one after the position.</returns>
    /// <exception cref="CheckpointException">The file ends before the position, or no item ends there: the file changed.</exception>
    public virtual async ValueTask SkipToAsync(long resumePosition, CancellationToken cancellationToken)
    {
        var at = 0L;
        while (at < resumePosition)
        {
            if (!await MoveNextAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new CheckpointException(Describe(), $"The checkpoint is at position {resumePosition}, beyond the end of the file (last position {at}): the file was replaced or truncated since. Delete the checkpoint to read it again.");
            }

            at = Current.ResumePosition;
        }

        if (at != resumePosition)
        {
            throw new CheckpointException(Describe(), $"The checkpoint is at position {resumePosition}, which is not the end of a record (the nearest is {at}): the file was replaced or edited since. Delete the checkpoint to read it again.");
        }

        Current = default;
    }

    /// <summary>Releases the reader and its stream.</summary>
    /// <returns>A task that completes once released.</returns>
    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return default;
    }

    /// <summary>Names the file for checkpoint errors.</summary>
    /// <returns>The file's name.</returns>
    protected virtual string Describe() => GetType().Name;
}
