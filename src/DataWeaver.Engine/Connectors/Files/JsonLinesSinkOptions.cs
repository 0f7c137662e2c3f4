namespace DataWeaver.Connectors.Files;

/// <summary>Options of a <see cref="JsonLinesSink{T}"/>.</summary>
public sealed record JsonLinesSinkOptions
{
    /// <summary>
    /// Gets a value indicating whether to append to an existing file instead of replacing it. A pipeline whose source
    /// resumes from a checkpoint needs it: each of its runs writes only what is new.
    /// </summary>
    /// <value>
    /// The default is <see langword="false"/>: the run writes a temporary file and renames it over the old file when
    /// it ends well; a failed run leaves the old file as it was.
    /// </value>
    public bool Append { get; init; }

    /// <summary>
    /// Gets a value indicating whether each batch is forced to the disk (fsync) before it is acknowledged, and a
    /// replacing run's file before it is renamed over the old one. Without it a batch is acknowledged once the
    /// operating system has it, which survives the process being killed but not the machine losing power.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool FlushToDisk { get; init; }
}
