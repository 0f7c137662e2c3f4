namespace DataWeaver.Checkpoints;

/// <summary>
/// Implemented by sources that keep their committed positions in an <see cref="ICheckpointStore"/>. A pipeline run
/// holds the store's lock on <see cref="CheckpointKey"/> (<see cref="ICheckpointStore.Lock"/>) from before the source
/// opens until after it closes, so two runs never share one checkpoint; and building a pipeline refuses sinks that
/// replace their file, since a resuming source reads only what is new on each run.
/// </summary>
public interface ICheckpointedSource
{
    /// <summary>Gets the store the source saves its positions in; <see langword="null"/> when it keeps none.</summary>
    ICheckpointStore? CheckpointStore { get; }

    /// <summary>Gets the key the source saves its positions under.</summary>
    string CheckpointKey { get; }
}
