using DataWeaver.Errors;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;

namespace DataWeaver.Hosting;

/// <summary>A hosted pipeline at one moment, as <see cref="HostedPipelines"/> reports it.</summary>
public sealed record HostedPipelineStatus
{
    /// <summary>Gets the hosted name (<see cref="DataWeaverBuilder.AddPipeline"/>).</summary>
    public required string Name { get; init; }

    /// <summary>Gets the state, in the one state model of <see cref="PipelineStates"/>: <see cref="PipelineState.Created"/> until the Generic Host starts it.</summary>
    public required PipelineState State { get; init; }

    /// <summary>Gets the current or last run, for its <see cref="PipelineRun.Statistics"/>; <see langword="null"/> before the first run or when the pipeline could not be built.</summary>
    public PipelineRun? Run { get; init; }

    /// <summary>Gets how many times the pipeline was started again after a failure.</summary>
    public int Restarts { get; init; }

    /// <summary>Gets the last failure, if any: the original exception of the failing stage, or of the pipeline's factory.</summary>
    public Exception? LastError { get; init; }

    /// <summary>Gets the class of <see cref="LastError"/>.</summary>
    public ErrorClass? LastErrorClass { get; init; }

    /// <summary>Gets the stage <see cref="LastError"/> happened in, as the pipeline's graph names it; <c>(factory)</c> when the pipeline could not be built.</summary>
    public string? LastErrorStage { get; init; }
}
