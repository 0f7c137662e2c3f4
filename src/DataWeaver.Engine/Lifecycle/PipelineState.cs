namespace DataWeaver.Lifecycle;

/// <summary>
/// Where a pipeline is in its life: one state model shared by a run (<see cref="Pipelines.PipelineRun.State"/>), a
/// <see cref="PipelineHost"/>, the pipeline manager, the Generic Host integration, <c>ConnectorPipeline</c> and the
/// <c>dataweaver</c> CLI. The allowed moves are listed by <see cref="PipelineStates.Transitions"/> (docs/lifecycle.md).
/// </summary>
public enum PipelineState
{
    /// <summary>Created and never started.</summary>
    Created,

    /// <summary>Reading, processing and writing.</summary>
    Running,

    /// <summary>A pause was asked: the source stopped reading; the records in flight are finishing and being committed.</summary>
    Pausing,

    /// <summary>Paused: the source reads nothing, every record read was delivered and its position committed. Resume continues from there.</summary>
    Paused,

    /// <summary>A stop was asked: the source stopped reading; the records in flight are finishing and being committed.</summary>
    Draining,

    /// <summary>The run failed and the pipeline starts again after a backoff delay (<see cref="PipelineRestartPolicy"/>).</summary>
    Restarting,

    /// <summary>The source ran out (a finite source finished): every record read was delivered and committed.</summary>
    Completed,

    /// <summary>Stopped on request (a drain, Ctrl+C, a host shutting down) and the drain finished: every record read was delivered and committed.</summary>
    Stopped,

    /// <summary>Aborted (on request, or a drain timed out): records in flight were dropped; only what was acknowledged was committed.</summary>
    Aborted,

    /// <summary>The run failed (or the pipeline could not be built) and no restart is left.</summary>
    Failed,
}

/// <summary>One allowed move of the state model: from a state to another, and the event that makes it.</summary>
/// <param name="From">The state before.</param>
/// <param name="To">The state after.</param>
/// <param name="Event">What happened, in a few words.</param>
public readonly record struct PipelineStateTransition(PipelineState From, PipelineState To, string Event);

/// <summary>The state model's rules: which moves are allowed and which states are final.</summary>
public static class PipelineStates
{
    private static readonly PipelineState[] s_ended = [PipelineState.Completed, PipelineState.Stopped, PipelineState.Aborted, PipelineState.Failed];

    /// <summary>Gets every allowed move, the table docs/lifecycle.md shows. A move not listed never happens.</summary>
    public static IReadOnlyList<PipelineStateTransition> Transitions { get; } = BuildTransitions();

    /// <summary>Gets a value indicating whether a state is final: the pipeline no longer runs and only a new start moves it.</summary>
    /// <param name="state">The state.</param>
    /// <returns><see langword="true"/> for <see cref="PipelineState.Completed"/>, <see cref="PipelineState.Stopped"/>, <see cref="PipelineState.Aborted"/> and <see cref="PipelineState.Failed"/>.</returns>
    public static bool IsEnded(PipelineState state) => state is PipelineState.Completed or PipelineState.Stopped or PipelineState.Aborted or PipelineState.Failed;

    /// <summary>Gets a value indicating whether a pipeline in this state has a run that may still read, write or commit.</summary>
    /// <param name="state">The state.</param>
    /// <returns><see langword="true"/> for running, pausing, paused and draining.</returns>
    public static bool IsActive(PipelineState state) => state is PipelineState.Running or PipelineState.Pausing or PipelineState.Paused or PipelineState.Draining;

    /// <summary>Gets a value indicating whether the model allows a move.</summary>
    /// <param name="from">The state before.</param>
    /// <param name="to">The state after.</param>
    /// <returns><see langword="true"/> when <see cref="Transitions"/> lists it.</returns>
    public static bool IsAllowed(PipelineState from, PipelineState to)
    {
        foreach (var transition in Transitions)
        {
            if (transition.From == from && transition.To == to)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Gets the lower-case name of a state, as the CLI, logs and metrics show it (<c>running</c>, <c>stopped</c>).</summary>
    /// <param name="state">The state.</param>
    /// <returns>The name.</returns>
    public static string Label(PipelineState state) => state switch
    {
        PipelineState.Created => "created",
        PipelineState.Running => "running",
        PipelineState.Pausing => "pausing",
        PipelineState.Paused => "paused",
        PipelineState.Draining => "draining",
        PipelineState.Restarting => "restarting",
        PipelineState.Completed => "completed",
        PipelineState.Stopped => "stopped",
        PipelineState.Aborted => "aborted",
        _ => "failed",
    };

    private static PipelineStateTransition[] BuildTransitions()
    {
        List<PipelineStateTransition> list =
        [
            new(PipelineState.Created, PipelineState.Running, "start"),
            new(PipelineState.Created, PipelineState.Failed, "start: the pipeline could not be built"),
            new(PipelineState.Created, PipelineState.Stopped, "stop before the first start"),
            new(PipelineState.Running, PipelineState.Pausing, "pause"),
            new(PipelineState.Running, PipelineState.Draining, "stop (drain)"),
            new(PipelineState.Running, PipelineState.Completed, "the source ran out and everything was committed"),
            new(PipelineState.Pausing, PipelineState.Paused, "everything read was delivered and committed"),
            new(PipelineState.Pausing, PipelineState.Running, "resume before the pause took hold"),
            new(PipelineState.Pausing, PipelineState.Draining, "stop (drain)"),
            new(PipelineState.Pausing, PipelineState.Completed, "the source ran out before the pause took hold"),
            new(PipelineState.Paused, PipelineState.Running, "resume"),
            new(PipelineState.Paused, PipelineState.Draining, "stop (drain)"),
            new(PipelineState.Draining, PipelineState.Stopped, "the drain finished: everything read was delivered and committed"),
            new(PipelineState.Restarting, PipelineState.Running, "the backoff delay passed and the pipeline started again"),
            new(PipelineState.Restarting, PipelineState.Failed, "stop or abort during the backoff delay (the last run failed), or the pipeline could not be built again"),
        ];
        foreach (var active in new[] { PipelineState.Running, PipelineState.Pausing, PipelineState.Paused, PipelineState.Draining })
        {
            list.Add(new(active, PipelineState.Aborted, "abort, or a drain timeout"));
            list.Add(new(active, PipelineState.Failed, "a stage failed and no restart is left"));
            if (active != PipelineState.Draining)
            {
                list.Add(new(active, PipelineState.Restarting, "a stage failed and the restart policy allows another start"));
            }
        }

        foreach (var ended in s_ended)
        {
            list.Add(new(ended, PipelineState.Running, "start again"));
            list.Add(new(ended, PipelineState.Failed, "start again: the pipeline could not be built"));
        }

        list.RemoveAll(t => t.From == PipelineState.Failed && t.To == PipelineState.Failed);
        return [.. list];
    }
}
