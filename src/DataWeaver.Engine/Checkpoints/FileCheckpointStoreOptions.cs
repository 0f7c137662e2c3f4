namespace DataWeaver.Checkpoints;

/// <summary>Options of a <see cref="FileCheckpointStore"/>.</summary>
public sealed record FileCheckpointStoreOptions
{
    /// <summary>
    /// Gets a value indicating whether each checkpoint is forced to the disk (fsync) before it replaces the
    /// previous one. Without it a checkpoint survives the process being killed but not the machine losing power.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool FlushToDisk { get; init; } = true;

    /// <summary>Gets the clock that stamps each checkpoint with the time it was saved (informational).</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
