using DataWeaver.Records;

namespace DataWeaver.Checkpoints;

/// <summary>
/// Keeps the committed positions of sources that have no broker to commit to (a file, a directory): what a
/// source saves on <see cref="Connectors.SourceConnector{T}.CommitAsync"/> it loads again when it opens, so a
/// restarted pipeline resumes where the last run committed.
/// </summary>
/// <remarks>
/// A save replaces the whole checkpoint of its key; a store MUST make it atomic (a reader sees the old
/// checkpoint or the new one, never a mix) and durable once the returned task completes. The engine never
/// saves one key concurrently with itself (commits are serialized), but different keys may be saved at once.
/// </remarks>
public interface ICheckpointStore
{
    /// <summary>Loads the positions last saved under <paramref name="key"/>.</summary>
    /// <param name="key">Names the source, e.g. <see cref="Connectors.Files.JsonLinesSource.DefaultCheckpointKey"/>.</param>
    /// <param name="cancellationToken">Aborts the load.</param>
    /// <returns>The positions, one per partition; <see langword="null"/> when nothing was saved under the key.</returns>
    /// <exception cref="CheckpointException">The stored checkpoint cannot be read.</exception>
    ValueTask<IReadOnlyList<SourcePosition>?> LoadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Saves <paramref name="positions"/> under <paramref name="key"/>, replacing what was saved before.</summary>
    /// <param name="key">Names the source.</param>
    /// <param name="positions">The resume position of every partition of the source.</param>
    /// <param name="cancellationToken">Aborts the save; the previous checkpoint then stays in place.</param>
    /// <returns>A task that completes once the checkpoint is durable.</returns>
    ValueTask SaveAsync(string key, IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default);

    /// <summary>
    /// Takes an exclusive hold on <paramref name="key"/> for one run, so that two runs never load and save one checkpoint
    /// at once. A pipeline run calls it before its source opens and disposes the result after the source closed. A
    /// store shared by processes MUST fail at once (not wait) when another run holds the key; the default takes no
    /// hold, which is right for stores that live in one process.
    /// </summary>
    /// <param name="key">Names the source.</param>
    /// <returns>The hold, released by disposing it; <see langword="null"/> when the store takes none.</returns>
    /// <exception cref="Connectors.Files.Output.FileLockedException">Another run holds the key.</exception>
    IDisposable? Lock(string key) => null;

    /// <summary>
    /// Loads the state blob last saved under <paramref name="key"/> with <see cref="SaveStateAsync"/> (a window stage's
    /// state snapshots, <see cref="Windowing.WindowOptions.CheckpointState"/>).
    /// </summary>
    /// <param name="key">Names the stage's state (derived from the source's checkpoint key).</param>
    /// <param name="cancellationToken">Aborts the load.</param>
    /// <returns>The bytes; <see langword="null"/> when nothing was saved under the key.</returns>
    /// <exception cref="NotSupportedException">The store keeps positions only (the default).</exception>
    ValueTask<byte[]?> LoadStateAsync(string key, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"The checkpoint store {GetType().Name} keeps positions only, not state snapshots.");

    /// <summary>
    /// Saves a state blob under <paramref name="key"/>, replacing what was saved before. A store MUST make it atomic and
    /// durable once the returned task completes, like <see cref="SaveAsync"/>: the engine saves a stage's state before it
    /// commits the positions that state belongs to, so a commit never claims state that is not on the disk.
    /// </summary>
    /// <param name="key">Names the stage's state.</param>
    /// <param name="state">The bytes (the engine's own versioned layout).</param>
    /// <param name="cancellationToken">Aborts the save; the previous state then stays in place.</param>
    /// <returns>A task that completes once the state is durable.</returns>
    /// <exception cref="NotSupportedException">The store keeps positions only (the default).</exception>
    ValueTask SaveStateAsync(string key, ReadOnlyMemory<byte> state, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException($"The checkpoint store {GetType().Name} keeps positions only, not state snapshots.");
}
