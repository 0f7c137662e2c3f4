namespace DataWeaver.Connectors.Files.Output;

/// <summary>Options of a <see cref="SafeFileWriter"/>.</summary>
public sealed record SafeFileWriterOptions
{
    /// <summary>
    /// Gets a value indicating whether to append to the file (creating it when missing) instead of replacing it.
    /// Replacing writes a temporary file beside the target and renames it over the target on
    /// <see cref="SafeFileWriter.Commit"/>; until then the old file stays as it was.
    /// </summary>
    /// <value>The default is <see langword="false"/>: replace on commit.</value>
    public bool Append { get; init; }

    /// <summary>
    /// Gets a value indicating whether, when appending, an incomplete last line (bytes after the last <c>\n</c>, left by
    /// a writer killed mid-write) is cut before writing. For line formats (JSON lines, CSV, text); leave it off for
    /// binary formats.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool RepairIncompleteLastLine { get; init; }

    /// <summary>
    /// Gets a value indicating whether each <see cref="SafeFileWriter.WriteAsync"/> forces its bytes to the disk (fsync)
    /// before it returns, and a replacing writer forces the temporary file to the disk before renaming it over the target.
    /// Without it written bytes, and the old file, survive the process being killed at any point but not necessarily
    /// the machine losing power: a power loss just after the rename may leave the new file without its data (ext4
    /// guards this rename-over pattern, other file systems may not). Replacing writers pay one fsync per run with it.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool FlushToDisk { get; init; }

    /// <summary>Gets the clock that stamps the lock's holder record.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
