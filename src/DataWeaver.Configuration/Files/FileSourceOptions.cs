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

    /// <summary>Gets a function that removes secrets from file names before they appear in errors, dead letters and checkpoint keys.</summary>
    /// <value>The default is <see langword="null"/>: names as they are.</value>
    public Func<string, string>? Scrub { get; init; }

    /// <summary>Gets the clock that stamps records with the time they were read.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets what the path <c>-</c> reads.</summary>
    /// <value>The default is <see langword="null"/>: the process's standard input.</value>
    public Func<Stream>? StandardInput { get; init; }
}
