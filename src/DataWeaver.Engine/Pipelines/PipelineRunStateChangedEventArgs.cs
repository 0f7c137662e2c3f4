using DataWeaver.Lifecycle;

namespace DataWeaver.Pipelines;

/// <summary>A <see cref="PipelineRun"/> changed state.</summary>
/// <param name="previous">The state before.</param>
/// <param name="current">The state now.</param>
public sealed class PipelineRunStateChangedEventArgs(PipelineState previous, PipelineState current) : EventArgs
{
    /// <summary>Gets the state before.</summary>
    public PipelineState Previous { get; } = previous;

    /// <summary>Gets the state now.</summary>
    public PipelineState Current { get; } = current;
}
