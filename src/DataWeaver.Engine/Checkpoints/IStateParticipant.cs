using DataWeaver.Records;

namespace DataWeaver.Checkpoints;

/// <summary>
/// A stage whose state is checkpointed with the source's positions (a window with
/// <see cref="Windowing.WindowOptions.CheckpointState"/>). The commit loop asks it, before each commit, which positions
/// its durable state covers, and commits those (never more).
/// </summary>
internal interface IStateParticipant
{
    /// <summary>
    /// Saves, durably, the newest state snapshot whose positions every acknowledged position covers, and returns those
    /// positions: what the commit may claim. <see langword="null"/> when no such snapshot is newer than the last commit.
    /// </summary>
    /// <param name="acknowledged">The acknowledged watermark of every partition.</param>
    /// <param name="cancellationToken">Aborts the save.</param>
    ValueTask<IReadOnlyList<SourcePosition>?> SaveCoveredAsync(IReadOnlyList<SourcePosition> acknowledged, CancellationToken cancellationToken);

    /// <summary>Tells that the source committed <paramref name="positions"/> (returned by <see cref="SaveCoveredAsync"/>).</summary>
    void Committed(IReadOnlyList<SourcePosition> positions);
}
