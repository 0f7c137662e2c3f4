using DataWeaver.Configuration.Formats;

namespace DataWeaver.Configuration.Files;

/// <summary>Options of a <see cref="FileSink"/>.</summary>
public sealed record FileSinkOptions
{
    /// <summary>Gets the layout of the records in the file.</summary>
    /// <value>Required.</value>
    public required RecordFileFormat Format { get; init; }

    /// <summary>
    /// Gets a value indicating whether records are appended to the file. Otherwise the run writes a temporary file beside
    /// it and replaces the file only when the run completes successfully: a failed run leaves the old file as it was.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Append { get; init; }

    /// <summary>Gets how the file is compressed.</summary>
    /// <value>The default is <see cref="FileCompression.Auto"/>: gzip for names ending in <c>.gz</c>.</value>
    public FileCompression Compression { get; init; }

    /// <summary>Gets a value indicating whether each batch is forced to the disk before it is acknowledged.</summary>
    /// <value>The default is <see langword="false"/>: batches reach the operating system before they are acknowledged.</value>
    public bool FlushToDisk { get; init; }

    /// <summary>Gets what the path <c>-</c> writes.</summary>
    /// <value>The default is <see langword="null"/>: the process's standard output.</value>
    public Func<Stream>? StandardOutput { get; init; }
}
