using DataWeaver.Hosting.Internal;
using DataWeaver.Lifecycle;

namespace DataWeaver.Hosting;

/// <summary>
/// The pipelines the host runs (<see cref="DataWeaverBuilder.AddPipeline"/>), with their states and runs: resolve it
/// from the service provider for progress displays, status pages or tests. Registered as a singleton by
/// <see cref="DataWeaverServiceCollectionExtensions.AddDataWeaver"/>.
/// </summary>
public sealed class HostedPipelines
{
    private readonly IReadOnlyList<PipelineRunner> _runners;

    internal HostedPipelines(IEnumerable<PipelineRunner> runners)
    {
        _runners = [.. runners];
        foreach (var runner in _runners)
        {
            runner.StateChanged = OnStateChanged;
        }
    }

    /// <summary>
    /// Occurs after a hosted pipeline changed state (the one state model of <see cref="PipelineStates"/>), on the thread
    /// that changed it. Handlers MUST NOT block; what they throw is ignored.
    /// </summary>
    public event EventHandler<PipelineStateChangedEventArgs>? StateChanged;

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
        Runner(name).Status;

    /// <summary>Waits until every hosted pipeline reached a state in which it no longer runs (completed, stopped, aborted or failed).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when no pipeline runs any more.</returns>
    public Task WhenAllEnded(CancellationToken cancellationToken = default) => Task.WhenAll(_runners.Select(r => r.Ended)).WaitAsync(cancellationToken);

    /// <summary>
    /// Pauses a hosted pipeline: its source stops reading, the records in flight are delivered and committed, then it is
    /// <see cref="PipelineState.Paused"/>. Does nothing when it has no run in progress.
    /// </summary>
    /// <param name="name">The hosted name.</param>
    /// <param name="cancellationToken">Stops waiting (the pause stays asked for).</param>
    /// <returns>A task that completes when paused, or when the pause was overtaken by a resume, a stop or the run's end.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is hosted.</exception>
    public Task PauseAsync(string name, CancellationToken cancellationToken = default) =>
        Runner(name).Host?.PauseAsync(cancellationToken) ?? Task.CompletedTask;

    /// <summary>Resumes a paused hosted pipeline from where its source stopped. Does nothing when it is not paused or pausing.</summary>
    /// <param name="name">The hosted name.</param>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is hosted.</exception>
    public void Resume(string name) => Runner(name).Host?.Resume();

    /// <summary>Gets the engine hosts of the pipelines the Generic Host started so far (a pipeline appears once its service started).</summary>
    /// <returns>The hosts, in the order the pipelines were added.</returns>
    public IReadOnlyList<PipelineHost> GetHosts() => [.. _runners.Select(static r => r.Host).OfType<PipelineHost>()];

    /// <summary>
    /// Restarts a hosted pipeline: drains it (everything read is written and committed) and starts it again from its
    /// committed positions; an ended one just starts again. The pipeline stays hosted: the Generic Host's stop still drains it.
    /// </summary>
    /// <param name="name">The hosted name.</param>
    /// <param name="cancellationToken">Turns the drain into an abort when signalled.</param>
    /// <returns>A task that completes when the pipeline started again.</returns>
    /// <exception cref="KeyNotFoundException">No pipeline of that name is hosted.</exception>
    /// <exception cref="InvalidOperationException">The Generic Host has not started the pipeline yet.</exception>
    public Task RestartAsync(string name, CancellationToken cancellationToken = default) => Runner(name).RestartAsync(cancellationToken);

    internal IReadOnlyList<PipelineRunner> Runners => _runners;

    private PipelineRunner Runner(string name) =>
        _runners.FirstOrDefault(r => r.Name == name) ?? throw new KeyNotFoundException($"No hosted pipeline is named '{name}'.");

    private void OnStateChanged(PipelineStateChangedEventArgs e)
    {
        try
        {
            StateChanged?.Invoke(this, e);
        }
        catch (Exception)
        {
            // Documented: handlers MUST NOT throw; a handler's failure does not change the pipeline's life.
        }
    }

    /// <summary>Gets what the pipelines' factories own, each once.</summary>
    internal IEnumerable<IAsyncDisposable> Owners => _runners.Select(r => r.Owner).OfType<IAsyncDisposable>().Distinct();
}
