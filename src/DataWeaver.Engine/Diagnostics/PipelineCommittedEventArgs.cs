using DataWeaver.Records;

namespace DataWeaver.Diagnostics;

/// <summary>Tells of a commit of source positions during a run (<see cref="Pipelines.PipelineRun.Committed"/>).</summary>
public sealed class PipelineCommittedEventArgs : EventArgs
{
    /// <summary>Creates the event data.</summary>
    /// <param name="positions">The positions committed, one per partition that advanced.</param>
    /// <param name="commitLag">The records read and not yet covered by a commit, right after this commit.</param>
    public PipelineCommittedEventArgs(IReadOnlyList<SourcePosition> positions, long commitLag)
    {
        Positions = positions;
        CommitLag = commitLag;
    }

    /// <summary>Gets the positions committed, one per partition that advanced since the previous commit.</summary>
    public IReadOnlyList<SourcePosition> Positions { get; }

    /// <summary>Gets the records read and not yet covered by a commit, right after this commit.</summary>
    public long CommitLag { get; }
}
