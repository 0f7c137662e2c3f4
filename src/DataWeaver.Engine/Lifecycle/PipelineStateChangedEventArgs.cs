namespace DataWeaver.Lifecycle;

/// <summary>A <see cref="PipelineHost"/> changed state.</summary>
/// <param name="host">The host.</param>
/// <param name="previous">The state before.</param>
/// <param name="current">The state now.</param>
public sealed class PipelineStateChangedEventArgs(PipelineHost host, PipelineState previous, PipelineState current) : EventArgs
{
    /// <summary>Gets the host of the pipeline.</summary>
    public PipelineHost Host { get; } = host;

    /// <summary>Gets the pipeline's name.</summary>
    public string Name => Host.Name;

    /// <summary>Gets the state before.</summary>
    public PipelineState Previous { get; } = previous;

    /// <summary>Gets the state now.</summary>
    public PipelineState Current { get; } = current;
}
