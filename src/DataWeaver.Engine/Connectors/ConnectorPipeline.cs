using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;

namespace DataWeaver.Connectors;

/// <summary>
/// A pipeline from one source connector to one sink connector: the
/// source's and the sink's <c>Process</c> run on the way. A thin wrapper over
/// <c>Pipeline.From(source).To(sink).Build()</c>; use the fluent <see cref="Pipelines.Pipeline"/> builder for
/// transforms, parallel stages or several sinks.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class ConnectorPipeline<T>
{
    /// <summary>Creates the pipeline.</summary>
    /// <param name="source">The source connector.</param>
    /// <param name="sink">The sink connector.</param>
    /// <param name="options">The pipeline options; <see langword="null"/> uses the defaults.</param>
    /// <param name="lifecycle">The drain timeout and restart policy; <see langword="null"/> uses the defaults (no restart).</param>
    /// <exception cref="Errors.PipelineConfigurationException">The options are invalid.</exception>
    public ConnectorPipeline(SourceConnector<T> source, SinkConnector<T> sink, PipelineOptions? options = null, PipelineHostOptions? lifecycle = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(sink);
        Source = source;
        Sink = sink;
        Pipeline = Pipeline.From(source, options).To(sink).Build();
        Host = new PipelineHost(Pipeline, lifecycle ?? new PipelineHostOptions { TimeProvider = Pipeline.Options.TimeProvider });
    }

    /// <summary>Occurs after every change of <see cref="State"/> (see <see cref="PipelineHost.StateChanged"/>). Handlers MUST NOT block.</summary>
    public event EventHandler<PipelineStateChangedEventArgs>? StateChanged
    {
        add => Host.StateChanged += value;
        remove => Host.StateChanged -= value;
    }

    /// <summary>Gets the source connector.</summary>
    public SourceConnector<T> Source { get; }

    /// <summary>Gets the sink connector.</summary>
    public SinkConnector<T> Sink { get; }

    /// <summary>Gets the built pipeline.</summary>
    public Pipeline Pipeline { get; }

    /// <summary>Gets the host that owns the pipeline's life (start, pause, resume, stop, abort, restarts).</summary>
    public PipelineHost Host { get; }

    /// <summary>Gets where the pipeline is in its life (the one state model of <see cref="PipelineStates"/>).</summary>
    public PipelineState State => Host.State;

    /// <summary>Gets the current (or last) run, or <see langword="null"/> before <see cref="Start"/>.</summary>
    public PipelineRun? Run => Host.LastRun;

    /// <summary>
    /// Gets a task that completes when the current run ends (see <see cref="PipelineRun.Completion"/>), or a
    /// completed task before <see cref="Start"/>. With restarts, <see cref="PipelineHost.Completion"/> waits for the last one.
    /// </summary>
    public Task Completion => Run?.Completion ?? Task.CompletedTask;

    /// <summary>Starts the pipeline and returns at once.</summary>
    /// <param name="cancellationToken">Aborts the run when signalled.</param>
    /// <returns>The run.</returns>
    /// <exception cref="InvalidOperationException">The pipeline is already running.</exception>
    public PipelineRun Start(CancellationToken cancellationToken = default)
    {
        var run = Host.Start() ?? throw Host.LastError!;
        if (cancellationToken.CanBeCanceled)
        {
            var registration = cancellationToken.Register(static state => ((PipelineHost)state!).Abort(), Host);
            _ = Host.Completion.ContinueWith(static (_, state) => ((CancellationTokenRegistration)state!).Dispose(), registration, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return run;
    }

    /// <summary>Pauses: the source stops reading, records in flight are written and committed (see <see cref="PipelineHost.PauseAsync"/>).</summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when paused (or when the pause was overtaken).</returns>
    public Task PauseAsync(CancellationToken cancellationToken = default) => Host.PauseAsync(cancellationToken);

    /// <summary>Resumes a paused pipeline from where its source stopped.</summary>
    public void Resume() => Host.Resume();

    /// <summary>
    /// Stops the current run with a drain: the source stops reading, records in
    /// flight are written, positions are committed. Does nothing before <see cref="Start"/>.
    /// </summary>
    /// <param name="cancellationToken">Turns the drain into an abort when signalled.</param>
    /// <returns>The run's completion.</returns>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Run is not { } run)
        {
            return;
        }

        await Host.StopAsync(cancellationToken).ConfigureAwait(false);
        await run.Completion.ConfigureAwait(false);
    }

    /// <summary>Aborts: records in flight are dropped unacknowledged; what was acknowledged is committed.</summary>
    public void Abort() => Host.Abort();

    /// <summary>Starts the pipeline and waits until the run ends.</summary>
    /// <param name="cancellationToken">Aborts the run when signalled.</param>
    /// <returns>The run's completion.</returns>
    public Task RunAsync(CancellationToken cancellationToken = default) => Start(cancellationToken).Completion;

    /// <summary>Describes the compiled block graph.</summary>
    /// <returns>The graph.</returns>
    public PipelineGraph Describe() => Pipeline.Describe();
}

/// <summary>Creates <see cref="ConnectorPipeline{T}"/>s with the record type inferred.</summary>
public static class ConnectorPipeline
{
    /// <summary>Creates a pipeline from a source to a sink.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="source">The source connector.</param>
    /// <param name="sink">The sink connector.</param>
    /// <param name="options">The pipeline options; <see langword="null"/> uses the defaults.</param>
    /// <returns>The pipeline, not started.</returns>
    public static ConnectorPipeline<T> Create<T>(SourceConnector<T> source, SinkConnector<T> sink, PipelineOptions? options = null) =>
        new(source, sink, options);

    /// <summary>Creates a pipeline from a source to a sink with a drain timeout and a restart policy.</summary>
    /// <typeparam name="T">The record type.</typeparam>
    /// <param name="source">The source connector.</param>
    /// <param name="sink">The sink connector.</param>
    /// <param name="options">The pipeline options; <see langword="null"/> uses the defaults.</param>
    /// <param name="lifecycle">The drain timeout and restart policy.</param>
    /// <returns>The pipeline, not started.</returns>
    public static ConnectorPipeline<T> Create<T>(SourceConnector<T> source, SinkConnector<T> sink, PipelineOptions? options, PipelineHostOptions lifecycle) =>
        new(source, sink, options, lifecycle);
}
