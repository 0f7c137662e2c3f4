using DataWeaver.Lifecycle;

namespace DataWeaver.Operations;

/// <summary>
/// The pipelines an operations endpoint reports and drives, each through its <see cref="PipelineHost"/> (the one owner
/// of a pipeline's life): the <c>dataweaver run</c> session's pipelines, a Generic Host's
/// (<see cref="Hosting.HostedPipelines"/>), or hosts of your own. Thread-safe.
/// </summary>
public sealed class OperatedPipelines
{
    private readonly Func<IEnumerable<PipelineHost>> _hosts;
    private readonly Func<PipelineHost, CancellationToken, Task> _restart;
    private readonly Lock _lock = new();
    private readonly List<Task> _restarts = [];

    /// <summary>Creates the set over a fixed list of hosts; a restart drains the pipeline and starts it again.</summary>
    /// <param name="hosts">The hosts, each with a name of its own.</param>
    public OperatedPipelines(IEnumerable<PipelineHost> hosts)
        : this(Snapshot(hosts))
    {
    }

    /// <summary>Creates the set over hosts read at every request (hosts that appear later, as a Generic Host starts them).</summary>
    /// <param name="hosts">Returns the current hosts; it MUST NOT block.</param>
    /// <param name="restart">
    /// Restarts one pipeline: drains it (waiting for its end) and starts it again. <see langword="null"/> stops it with
    /// <see cref="PipelineHost.StopAsync"/> and calls <see cref="PipelineHost.Start"/>.
    /// </param>
    public OperatedPipelines(Func<IEnumerable<PipelineHost>> hosts, Func<PipelineHost, CancellationToken, Task>? restart = null)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        _hosts = hosts;
        _restart = restart ?? DefaultRestartAsync;
    }

    /// <summary>
    /// Gets what <c>POST /reload</c> calls: re-reads the process's definition file and applies it (see
    /// <see cref="ReloadResult"/>). It MUST NOT throw for an invalid file: it returns the errors.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the process has no definition file to reload, and <c>POST /reload</c> answers 501.</value>
    public Func<CancellationToken, Task<ReloadResult>>? Reload { get; init; }

    /// <summary>Gets the hosts at this moment.</summary>
    public IReadOnlyList<PipelineHost> Hosts => [.. _hosts()];

    /// <summary>Gets whether every pipeline is <see cref="PipelineState.Running"/> (and there is at least one): what <c>/health/ready</c> reports.</summary>
    public bool IsReady
    {
        get
        {
            var hosts = Hosts;
            return hosts.Count > 0 && hosts.All(static h => h.State == PipelineState.Running);
        }
    }

    /// <summary>Finds a pipeline's host by name.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <returns>The host, or <see langword="null"/> when no pipeline has that name.</returns>
    public PipelineHost? Find(string name) => _hosts().FirstOrDefault(h => string.Equals(h.Name, name, StringComparison.Ordinal));

    /// <summary>
    /// Restarts a pipeline: a running, pausing or paused one drains (everything read is written and committed, as a
    /// stop does), one waiting to restart after a failure stops waiting, and then it starts again from its committed
    /// positions; an ended one just starts again. Nothing is lost or read twice by a restart.
    /// </summary>
    /// <param name="host">The pipeline's host.</param>
    /// <param name="cancellationToken">Turns the drain into an abort when signalled.</param>
    /// <returns>A task that completes when the pipeline started again.</returns>
    public async Task RestartAsync(PipelineHost host, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(host);
        Task restart;
        lock (_lock)
        {
            restart = _restart(host, cancellationToken);
            _restarts.Add(restart);
        }

        try
        {
            await restart.ConfigureAwait(false);
        }
        finally
        {
            lock (_lock)
            {
                _restarts.Remove(restart);
            }
        }
    }

    /// <summary>
    /// Waits until every pipeline has ended (<see cref="PipelineStates.IsEnded"/>) and no restart is in progress: a
    /// pipeline stopped by a restart does not count as ended.
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>A task that completes when no pipeline runs any more.</returns>
    public async Task WhenAllEndedAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var hosts = Hosts;
            await Task.WhenAll(hosts.Select(static h => h.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
            Task[] pending;
            lock (_lock)
            {
                pending = [.. _restarts];
            }

            if (pending.Length == 0 && hosts.All(static h => PipelineStates.IsEnded(h.State)))
            {
                return;
            }

            // A restart in progress: its pipeline runs again once it is done, or its failure ends it.
            await Task.WhenAll(pending).ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private static Func<IEnumerable<PipelineHost>> Snapshot(IEnumerable<PipelineHost> hosts)
    {
        ArgumentNullException.ThrowIfNull(hosts);
        PipelineHost[] list = [.. hosts];
        return () => list;
    }

    private static async Task DefaultRestartAsync(PipelineHost host, CancellationToken cancellationToken)
    {
        await host.StopAsync(cancellationToken).ConfigureAwait(false);
        host.Start();
    }
}
