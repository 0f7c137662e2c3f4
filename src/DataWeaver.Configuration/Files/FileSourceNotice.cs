namespace DataWeaver.Configuration.Files;

/// <summary>What a <see cref="FileSourceNotice"/> reports.</summary>
public enum FileSourceNoticeKind
{
    /// <summary>
    /// A file ends with bytes that are not a complete record (a last line without its line end, a message or block cut
    /// short): a record still being written, or a file without a final line end. They were neither read nor committed;
    /// the next run reads the record once it is complete (or set <see cref="FileSourceOptions.ReadUnterminatedLastLine"/>).
    /// </summary>
    UnterminatedTail,

    /// <summary>
    /// A file is shorter than its checkpoint (or, followed, than what was read, or its first bytes changed): it was
    /// truncated or rewritten, and is read again from its start.
    /// </summary>
    Truncated,

    /// <summary>
    /// A path names another file than the one checkpointed (another device and inode, or other first bytes): it was
    /// rotated or replaced, and the new file is read from its start (a followed file: once the old one was read to its end).
    /// </summary>
    Replaced,
}

/// <summary>
/// Something a <see cref="FileSource"/> did that a person should know about, though the run goes on: given to
/// <see cref="FileSourceOptions.OnNotice"/> and kept in <see cref="FileSource.Notices"/>.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="File">The file's name (secrets masked).</param>
/// <param name="Position">The position it is about, in the format's positions (a byte offset, a row or record ordinal).</param>
/// <param name="Bytes">How many bytes it is about (an unterminated tail's length); 0 otherwise.</param>
/// <param name="Message">A sentence for a log.</param>
public sealed record FileSourceNotice(FileSourceNoticeKind Kind, string File, long Position, long Bytes, string Message);
