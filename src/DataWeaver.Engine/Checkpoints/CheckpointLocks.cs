using DataWeaver.Connectors;

namespace DataWeaver.Checkpoints;

/// <summary>Finds a source's checkpoint and takes its lock for a run.</summary>
internal static class CheckpointLocks
{
    /// <summary>The store and key of a checkpointed source; <see langword="null"/> when it keeps no checkpoint.</summary>
    public static (ICheckpointStore Store, string Key)? Find(Connector source) => source switch
    {
        ICheckpointedSource { CheckpointStore: { } store } checkpointed => (store, checkpointed.CheckpointKey),
        _ => null,
    };

    /// <summary>Takes the lock on the source's checkpoint; <see langword="null"/> when it has none or its store locks nothing.</summary>
    /// <exception cref="Connectors.Files.Output.FileLockedException">Another run holds the checkpoint.</exception>
    public static IDisposable? Acquire(Connector source) => Find(source) is var (store, key) ? store.Lock(key) : null;
}
