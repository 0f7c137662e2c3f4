namespace DataWeaver.Connectors.Files;

/// <summary>Options of a <see cref="JsonLinesSink{T}"/>.</summary>
public sealed record JsonLinesSinkOptions
{
    /// <summary>Gets a value indicating whether to append to an existing file instead of replacing it.</summary>
    /// <value>The default is <see langword="false"/>: the file is replaced when the run opens it.</value>
    public bool Append { get; init; }

    /// <summary>
    /// Gets a value indicating whether each batch is forced to the disk (fsync) before it is acknowledged.
    /// Without it a batch is acknowledged once the operating system has it, which survives the process being
    /// killed but not the machine losing power.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool FlushToDisk { get; init; }
}
