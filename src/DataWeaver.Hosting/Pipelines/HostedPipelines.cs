using DataWeaver.Hosting.Internal;

namespace DataWeaver.Hosting;

/// <summary>
/// The pipelines the host runs (<see cref="DataWeaverBuilder.AddPipeline"/>), with their states and runs: resolve it
/// from the service provider for progress displays, status pages or tests. Registered as a singleton by
/// <see cref="DataWeaverServiceCollectionExtensions.AddDataWeaver"/>.
/// </summary>
public sealed class HostedPipelines
{
    private readonly IReadOnlyList<PipelineRunner> _runners;

    internal HostedPipelines(IEnumerable<PipelineRunner> runners) => _runners = [.. runners];

    /// <summary>Gets the hosted pipelines' names, in the order they were added.</summary>
    public IReadOnlyList<string> Names => [.. _runners.Select(r => r.Name)];

    /// <summary>Gets the status of every hosted pipeline, in the order they were added.</summary>
    /// <returns>One status per pipeline.</returns>
    public IReadOnlyList<HostedPipelineStatus> GetStatus() => [.. _runners.Select(r => r.Status)];

    /// <summary>Gets the status of one hosted pipeline.</summary>
    /// <param name="name">The hosted name.</param>
    /// <returns>The status.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is hosted.</exception>
    public HostedPipelineStatus GetStatus(string name) =>
        (_runners.FirstOrDefault(r => r.Name == name) ?? throw new KeyNotFoundException($"No hosted pipeline is named '{name}'.")).Status;

    /// <summary>Waits until every hosted pipeline reached a state in which it no longer runs (completed, stopped, aborted or failed).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when no pipeline runs any more.</returns>
    public Task WhenAllEnded(CancellationToken cancellationToken = default) => Task.WhenAll(_runners.Select(r => r.Ended)).WaitAsync(cancellationToken);

    internal IReadOnlyList<PipelineRunner> Runners => _runners;

    /// <summary>Gets what the pipelines' factories own, each once.</summary>
    internal IEnumerable<IAsyncDisposable> Owners => _runners.Select(r => r.Owner).OfType<IAsyncDisposable>().Distinct();
}
