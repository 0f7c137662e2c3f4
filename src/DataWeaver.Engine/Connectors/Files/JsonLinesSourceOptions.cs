using DataWeaver.Buffers;
using DataWeaver.Checkpoints;

namespace DataWeaver.Connectors.Files;

/// <summary>Options of a <see cref="JsonLinesSource"/>.</summary>
public sealed record JsonLinesSourceOptions
{
    /// <summary>Gets the size of each read buffer; lines are cut from it without copying.</summary>
    /// <value>The default is 64 KiB; from 4 KiB to 64 MiB.</value>
    public int BufferSize { get; init; } = 64 * 1024;

    /// <summary>Gets the longest accepted line in bytes; a longer one raises <see cref="Errors.RecordTooLargeException"/>.</summary>
    /// <value>The default is 1 MiB; from 1 byte to 1 GiB.</value>
    public int MaxRecordBytes { get; init; } = 1024 * 1024;

    /// <summary>
    /// Gets the byte offset to start reading from: a committed resume position. A checkpoint loaded from
    /// <see cref="CheckpointStore"/> takes precedence.
    /// </summary>
    /// <value>The default is 0, the start of the file.</value>
    public long StartOffset { get; init; }

    /// <summary>
    /// Gets where the source keeps its committed offset: each commit saves it, and opening the source loads it
    /// and resumes there (overriding <see cref="StartOffset"/>), so a pipeline restarted after a crash or a
    /// stop reads on from its last commit.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no checkpoint; each run starts at <see cref="StartOffset"/>.</value>
    public ICheckpointStore? CheckpointStore { get; init; }

    /// <summary>Gets the key of the source's checkpoint in <see cref="CheckpointStore"/>.</summary>
    /// <value>
    /// The default is <see langword="null"/>, which uses <see cref="JsonLinesSource.DefaultCheckpointKey"/> of the
    /// file: <c>jsonl:</c> and the file's full path.
    /// </value>
    public string? CheckpointKey { get; init; }

    /// <summary>
    /// Gets a value indicating whether the source follows the file as it grows. Either way a line is read only once
    /// its line end (<c>\n</c>) is in the file, so a line being written is never read half and no checkpoint lies
    /// inside a line. <see langword="false"/>: read to the end the file has when reached and stop; bytes after the
    /// last line end (an unterminated tail) stay unread and uncommitted, reported as
    /// <see cref="JsonLinesSourceNoticeKind.UnterminatedTail"/>, and the next run reads them once completed.
    /// <see langword="true"/>: at the end, poll every <see cref="PollInterval"/> for more lines until the pipeline
    /// stops; a truncated file is read again from byte 0, and a rotated one (the path now names another file) is read to
    /// its end first, then the new file from byte 0.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Follow { get; init; }

    /// <summary>
    /// Gets a value indicating whether a finite read (<see cref="Follow"/> <see langword="false"/>) reads bytes after the
    /// last line end as a final line, for a complete file that merely lacks its last line end (a one-off conversion).
    /// Never set it for a file that may still be written: a line being written would be read half, and committed.
    /// </summary>
    /// <value>The default is <see langword="false"/>: such bytes stay unread, reported as <see cref="JsonLinesSourceNoticeKind.UnterminatedTail"/>.</value>
    public bool ReadUnterminatedLastLine { get; init; }

    /// <summary>Gets how often a following source looks for new lines, truncation and rotation once at the end of the file.</summary>
    /// <value>The default is 1 second; from 1 millisecond to 1 hour. Timed on <see cref="TimeProvider"/>.</value>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets how the file is named in error messages, dead letters and notices, e.g. the path with a secret in it masked.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the path as given.</value>
    public string? DisplayPath { get; init; }

    /// <summary>
    /// Gets what is told of each <see cref="JsonLinesSourceNotice"/> (an unterminated tail left unread, a truncated or
    /// replaced file read again from the start), e.g. to log it. Called on the reading thread; MUST NOT block or throw.
    /// </summary>
    /// <value>The default is <see langword="null"/>: notices are only kept in <see cref="JsonLinesSource.Notices"/>.</value>
    public Action<JsonLinesSourceNotice>? OnNotice { get; init; }

    /// <summary>Gets the pool read buffers come from.</summary>
    /// <value>The default is <see cref="PayloadPool.Shared"/>.</value>
    public PayloadPool Pool { get; init; } = PayloadPool.Shared;

    /// <summary>Gets the clock that stamps records with the time they were read.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        if (BufferSize is < 4096 or > 64 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(BufferSize), BufferSize, "JsonLinesSourceOptions.BufferSize must be from 4 KiB to 64 MiB.");
        }

        if (MaxRecordBytes is < 1 or > 1024 * 1024 * 1024)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxRecordBytes), MaxRecordBytes, "JsonLinesSourceOptions.MaxRecordBytes must be from 1 byte to 1 GiB.");
        }

        if (StartOffset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(StartOffset), StartOffset, "JsonLinesSourceOptions.StartOffset must not be negative.");
        }

        if (PollInterval < TimeSpan.FromMilliseconds(1) || PollInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(PollInterval), PollInterval, "JsonLinesSourceOptions.PollInterval must be from 1 millisecond to 1 hour.");
        }

        if (CheckpointKey is { Length: 0 })
        {
            throw new ArgumentException("JsonLinesSourceOptions.CheckpointKey must not be empty; null uses the default key.", nameof(CheckpointKey));
        }
    }
}
