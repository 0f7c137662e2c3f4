using DataWeaver.Connectors;
using DataWeaver.Merging;

namespace DataWeaver.Checkpoints;

/// <summary>Finds a source's checkpoint and takes its lock for a run.</summary>
internal static class CheckpointLocks
{
    /// <summary>The store and key of a checkpointed source; <see langword="null"/> when it keeps no checkpoint (or is a merged source: see <see cref="FindAll"/>).</summary>
    public static (ICheckpointStore Store, string Key)? Find(Connector source) => source switch
    {
        ICheckpointedSource { CheckpointStore: { } store } checkpointed => (store, checkpointed.CheckpointKey),
        _ => null,
    };

    /// <summary>The checkpoints of a source and, for a merged source, of every source it merges.</summary>
    public static IEnumerable<(ICheckpointStore Store, string Key)> FindAll(Connector source) =>
        source is IMergedSource merged
            ? merged.Parts.SelectMany(FindAll)
            : Find(source) is { } found ? [found] : [];

    /// <summary>Takes the lock on the source's checkpoint (every merged source's); <see langword="null"/> when it has none or its store locks nothing.</summary>
    /// <exception cref="Connectors.Files.Output.FileLockedException">Another run holds a checkpoint; the locks already taken are released.</exception>
    public static IDisposable? Acquire(Connector source)
    {
        List<IDisposable> held = [];
        try
        {
            foreach (var (store, key) in FindAll(source))
            {
                if (store.Lock(key) is { } taken)
                {
                    held.Add(taken);
                }
            }
        }
        catch
        {
            Release(held);
            throw;
        }

        return held.Count switch
        {
            0 => null,
            1 => held[0],
            _ => new Locks(held),
        };
    }

    private static void Release(List<IDisposable> held)
    {
        for (var i = held.Count - 1; i >= 0; i--)
        {
            held[i].Dispose();
        }
    }

    private sealed class Locks(List<IDisposable> held) : IDisposable
    {
        public void Dispose() => Release(held);
    }
}
