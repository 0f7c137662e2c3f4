using DataWeaver.Checkpoints;
using DataWeaver.Configuration.Formats;

namespace DataWeaver.Configuration.Files;

/// <summary>Options of a <see cref="FileSource"/>.</summary>
public sealed record FileSourceOptions
{
    /// <summary>Gets the layout of the records in the files.</summary>
    /// <value>Required.</value>
    public required RecordFileFormat Format { get; init; }

    /// <summary>Gets how the files are compressed.</summary>
    /// <value>The default is <see cref="FileCompression.Auto"/>: gzip for names ending in <c>.gz</c>.</value>
    public FileCompression Compression { get; init; }

    /// <summary>
    /// Gets where the source keeps one checkpoint per file (the position up to which every record was acknowledged);
    /// opening a file resumes from its checkpoint. Not allowed for standard input.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no checkpoints; every run reads every file from its start.</value>
    public ICheckpointStore? CheckpointStore { get; init; }

    /// <summary>Gets the prefix of the checkpoint keys; each file's key adds a hash of its full path and its name.</summary>
    /// <value>The default is <c>file:</c>.</value>
    public string CheckpointKeyPrefix { get; init; } = "file:";

    /// <summary>
    /// Gets a value indicating whether the source keeps reading files as they grow until the pipeline stops (like
    /// <c>tail -F</c>). At the end of a file it looks again every <see cref="PollInterval"/>: a record is read only once it
    /// is complete, so no checkpoint ever lies inside a record being written. A file that becomes shorter than what was
    /// read, or whose first bytes change, was truncated or rewritten: it is read again from its start. A path that names
    /// another file (another device and inode: a rotation, whatever the lengths) ends the old file once it stopped growing
    /// for one more interval (bytes after its last complete record are reported, not read) and the new file is read from
    /// its start. Either way the file's records read so far are all acknowledged first, and a
    /// <see cref="FileSourceNotice"/> says what happened. For a folder or pattern, the last file is followed until a newer
    /// file appears. Formats whose reader reads ahead (csv) or synchronously (avro) are read on by a new reader moved to
    /// the last position each time the file grew: csv and avro skip the records already read by reading them again, so
    /// following a large growing file costs more in those formats. Standard input is always read until it closes.
    /// </summary>
    /// <value>The default is <see langword="false"/>: each file is read to its last complete record and the source ends.</value>
    public bool Follow { get; init; }

    /// <summary>Gets how often a followed file is looked at for new records, truncation and rotation once at its end.</summary>
    /// <value>The default is 1 second; from 1 millisecond to 1 hour. Timed on <see cref="TimeProvider"/>.</value>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets a value indicating whether bytes at the end of a file that are not a complete record (a last line without
    /// its line end; for csv a row, for protobuf a message, for avro a block cut short) are read as a final record, for
    /// complete files that merely lack their last line end. Never set it for files that may still be written: a record
    /// being written would be read half, and committed. Standard input always reads its last line, as no writer can
    /// finish it once the input closed. Ignored by a source that <see cref="Follow"/>s its files.
    /// </summary>
    /// <value>
    /// The default is <see langword="false"/>: such bytes stay unread and uncommitted, reported as
    /// <see cref="FileSourceNoticeKind.UnterminatedTail"/>; the next run reads the record once it is complete.
    /// </value>
    public bool ReadUnterminatedLastLine { get; init; }

    /// <summary>
    /// Gets what is told of each <see cref="FileSourceNotice"/> (an unterminated tail left unread, a truncated or replaced
    /// file read again from its start), e.g. to log it. Called on the reading thread; MUST NOT block or throw.
    /// </summary>
    /// <value>The default is <see langword="null"/>: notices are only kept in <see cref="FileSource.Notices"/>.</value>
    public Action<FileSourceNotice>? OnNotice { get; init; }

    /// <summary>Gets a function that removes secrets from file names before they appear in errors, dead letters and checkpoint keys.</summary>
    /// <value>The default is <see langword="null"/>: names as they are.</value>
    public Func<string, string>? Scrub { get; init; }

    /// <summary>Gets the clock that stamps records with the time they were read and times <see cref="PollInterval"/>.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets what the path <c>-</c> reads.</summary>
    /// <value>The default is <see langword="null"/>: the process's standard input.</value>
    public Func<Stream>? StandardInput { get; init; }
}
