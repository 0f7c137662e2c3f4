namespace DataWeaver.Configuration;

/// <summary>Where a pipeline of a <see cref="PipelineManager"/> is in its life.</summary>
public enum ManagedPipelineState
{
    /// <summary>Created, never started.</summary>
    Created,

    /// <summary>Its run is reading, processing and writing.</summary>
    Running,

    /// <summary>A stop was requested: the source stopped reading and the records in flight are finishing.</summary>
    Draining,

    /// <summary>Its last run completed: the source ran out or a stop drained it; everything read was delivered and committed.</summary>
    Completed,

    /// <summary>Its last run failed; <see cref="ManagedPipeline.LastError"/> holds why.</summary>
    Faulted,

    /// <summary>Its last run was aborted; records in flight were dropped unacknowledged.</summary>
    Aborted,
}

/// <summary>A pipeline of a <see cref="PipelineManager"/> changed state.</summary>
/// <param name="pipeline">The pipeline.</param>
/// <param name="previous">The state before.</param>
/// <param name="current">The state now.</param>
public sealed class PipelineStateChangedEventArgs(ManagedPipeline pipeline, ManagedPipelineState previous, ManagedPipelineState current) : EventArgs
{
    /// <summary>Gets the pipeline.</summary>
    public ManagedPipeline Pipeline { get; } = pipeline;

    /// <summary>Gets the state before.</summary>
    public ManagedPipelineState Previous { get; } = previous;

    /// <summary>Gets the state now.</summary>
    public ManagedPipelineState Current { get; } = current;
}
