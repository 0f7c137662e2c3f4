namespace DataWeaver.Connectors.Files;

/// <summary>What a <see cref="JsonLinesSourceNotice"/> reports.</summary>
public enum JsonLinesSourceNoticeKind
{
    /// <summary>
    /// The file ends with bytes after its last line end (a line still being written, or a file without a final line
    /// end). They were neither read nor committed: the next run, or the next poll when following, reads the line once
    /// its line end is there.
    /// </summary>
    UnterminatedTail,

    /// <summary>The file is shorter than the checkpoint or than what was read: it was truncated, and is read again from byte 0.</summary>
    Truncated,

    /// <summary>
    /// The path names another file than the one checkpointed or read (another device and inode, or other first bytes):
    /// it was rotated or replaced, and the new file is read from byte 0.
    /// </summary>
    Replaced,

    /// <summary>
    /// While following, the file was rotated away and had a last line without a line end: as no writer will finish it
    /// at this path, it was read as a final line.
    /// </summary>
    RotatedTailRead,
}

/// <summary>
/// Something a <see cref="JsonLinesSource"/> did that a person should know about, though the run goes on: given to
/// <see cref="JsonLinesSourceOptions.OnNotice"/> and kept in <see cref="JsonLinesSource.Notices"/>.
/// </summary>
/// <param name="Kind">What happened.</param>
/// <param name="Offset">The byte offset it is about: the start of an unterminated tail, or the checkpointed or read offset given up.</param>
/// <param name="Bytes">How many bytes it is about (an unterminated tail's length); 0 otherwise.</param>
/// <param name="Message">A sentence for a log, naming the file by <see cref="JsonLinesSourceOptions.DisplayPath"/>.</param>
public sealed record JsonLinesSourceNotice(JsonLinesSourceNoticeKind Kind, long Offset, long Bytes, string Message);
