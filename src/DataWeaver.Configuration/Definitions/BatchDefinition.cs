namespace DataWeaver.Configuration;

/// <summary>Batching of a pipeline (<c>batch:</c>). Immutable.</summary>
public sealed record BatchDefinition
{
    /// <summary>Gets how many records the source puts in one batch at most (the unit blocks exchange), and the sinks' batch size when <see cref="Window"/> is set.</summary>
    /// <value>The default is 4,096 (the engine's <see cref="Pipelines.PipelineOptions.BatchSize"/>); from 1 to 65,536.</value>
    public int Size { get; init; } = EngineDefaults.Options.BatchSize;

    /// <summary>
    /// Gets the batch window: when set, batches are re-cut before the sinks, which get <see cref="Size"/> records or what
    /// came within the window after a batch's first record.
    /// </summary>
    /// <value>The default is <see langword="null"/>: sinks get the batches as they come.</value>
    public TimeSpan? Window { get; init; }
}
