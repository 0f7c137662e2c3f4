namespace DataWeaver.Configuration;

/// <summary>Memory bounds of a pipeline (<c>capacity:</c>), in records and bytes. Immutable.</summary>
public sealed record CapacityDefinition
{
    /// <summary>Gets how many records may wait at the input of each block.</summary>
    /// <value>The default is 16,384 (the engine's <see cref="Pipelines.PipelineOptions.DefaultStageCapacity"/>); at least 1.</value>
    public int Records { get; init; } = EngineDefaults.Options.DefaultStageCapacity;

    /// <summary>Gets how many payload bytes may be in flight at once.</summary>
    /// <value>The default is 256 MiB; 0 means no byte bound.</value>
    public long Bytes { get; init; } = EngineDefaults.Options.MaxInFlightBytes;

    /// <summary>Gets how many source records may be in flight (read and not yet acknowledged by every sink).</summary>
    /// <value>The default is 65,536; at least the batch size.</value>
    public int InFlightRecords { get; init; } = EngineDefaults.Options.MaxInFlightRecords;
}
