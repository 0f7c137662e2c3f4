using System.Globalization;
using DataWeaver.Diagnostics;
using DataWeaver.Lifecycle;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Hosting.Internal;

/// <summary>
/// Runs one hosted pipeline on a <see cref="PipelineHost"/> (the engine's lifecycle core): starts it with the host,
/// drains it when the host stops (aborting after the drain timeout), restarts it after failures as the options allow,
/// logs its moves and reports its <see cref="HostedPipelineStatus"/>.
/// </summary>
internal sealed class PipelineRunner(PipelineRegistration registration, IServiceProvider services, ILogger logger, TimeProvider time)
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _lock = new();
    private PipelineHost? _host;
    private Task? _restart;

    public string Name => registration.Name;

    public IAsyncDisposable? Owner => registration.Owner;

    /// <summary>Gets the host of the pipeline once the Generic Host started it, or <see langword="null"/> before.</summary>
    public PipelineHost? Host => Volatile.Read(ref _host);

    /// <summary>Gets or sets what to tell of every state change (<see cref="HostedPipelines.StateChanged"/>).</summary>
    public Action<PipelineStateChangedEventArgs>? StateChanged { get; set; }

    public HostedPipelineStatus Status => Host is { } host
        ? new HostedPipelineStatus
        {
            Name = Name,
            State = host.State,
            Run = host.LastRun,
            Restarts = host.Restarts,
            LastError = host.LastError,
            LastErrorClass = host.LastErrorClass,
            LastErrorStage = host.LastErrorStage,
        }
        : new HostedPipelineStatus { Name = Name, State = PipelineState.Created };

    /// <summary>Gets a task that completes when the pipeline no longer runs (completed, stopped, aborted or failed).</summary>
    public Task Ended => _ended.Task;

    public async Task RunAsync(DataWeaverHostOptions options, IHostApplicationLifetime? lifetime, CancellationToken stoppingToken)
    {
        try
        {
            var host = new PipelineHost(Name, () => registration.Factory(services), new PipelineHostOptions
            {
                DrainTimeout = options.DrainTimeout,
                Restart = new PipelineRestartPolicy { MaxRestarts = options.MaxRestarts, Delay = options.RestartDelay, MaxDelay = options.MaxRestartDelay },
                TimeProvider = time,
            });
            host.StateChanged += OnStateChanged;
            Volatile.Write(ref _host, host);
            if (stoppingToken.IsCancellationRequested)
            {
                host.RequestStop(); // the Generic Host stopped before the pipeline started
            }
            else
            {
                host.Start();
            }

            // The stopping token drains the run; it does not abort it (the drain timeout and the host's shutdown timeout do).
            using (stoppingToken.Register(static state => ((PipelineHost)state!).RequestStop(), host))
            {
                while (true)
                {
                    await host.Completion.ConfigureAwait(false);
                    Task? restart;
                    lock (_lock)
                    {
                        restart = _restart;
                    }

                    if (restart is not null)
                    {
                        await restart.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default).ConfigureAwait(false);
                    }
                    else if (PipelineStates.IsEnded(host.State))
                    {
                        break;
                    }

                    // A restart (RestartAsync) ended the run and started a new one: wait for it; the Generic Host's stop drains it too.
                    if (stoppingToken.IsCancellationRequested)
                    {
                        host.RequestStop();
                    }
                }
            }

            if (host.State == PipelineState.Failed && options.StopApplicationOnFailure)
            {
                lifetime?.StopApplication();
            }
        }
        finally
        {
            _ended.TrySetResult();
        }
    }

    /// <summary>Drains the pipeline and starts it again (the management API's restart); the runner waits for the new run.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        var host = Host ?? throw new InvalidOperationException($"Hosted pipeline '{Name}' has not been started yet.");
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_restart is not null)
            {
                throw new InvalidOperationException($"Hosted pipeline '{Name}' is restarting already.");
            }

            _restart = done.Task;
        }

        try
        {
            await host.StopAsync(cancellationToken).ConfigureAwait(false);
            host.Start();
        }
        finally
        {
            lock (_lock)
            {
                _restart = null;
            }

            done.TrySetResult();
        }
    }

    /// <summary>Aborts the current run at once (the host's shutdown timeout passed).</summary>
    public void Abort()
    {
        if (Host is { CurrentRun: not null } host)
        {
            HostingLog.HostTimeout(logger, Name);
            host.Abort();
        }
    }

    private void OnStateChanged(object? sender, PipelineStateChangedEventArgs e)
    {
        StateChanged?.Invoke(e);
        var host = e.Host;
        var statistics = host.Statistics;
        switch (e.Current)
        {
            case PipelineState.Running when e.Previous is not (PipelineState.Pausing or PipelineState.Paused) && host.CurrentRun is { } run:
                HostingLog.Started(logger, Name, run.Pipeline.Describe().Blocks.Count, run.Pipeline.Options.MaxInFlightRecords);
                if (logger.IsEnabled(LogLevel.Debug))
                {
                    run.Committed += OnCommitted;
                }

                break;
            case PipelineState.Draining:
                HostingLog.Draining(logger, Name, host.Options.DrainTimeout);
                break;
            case PipelineState.Completed:
                HostingLog.Completed(logger, Name, statistics.RecordsRead, statistics.RecordsWritten);
                break;
            case PipelineState.Stopped when e.Previous == PipelineState.Draining:
                HostingLog.Drained(logger, Name, statistics.RecordsRead, statistics.RecordsWritten);
                break;
            case PipelineState.Aborted:
                HostingLog.Aborted(logger, Name, statistics.RecordsInFlight);
                break;
            case PipelineState.Restarting or PipelineState.Failed:
                LogFailure(host);
                if (e.Current == PipelineState.Restarting)
                {
                    HostingLog.Restarting(logger, Name, host.Options.Restart.DelayBefore(host.Restarts - 1), host.Restarts, host.Options.Restart.MaxRestarts);
                }

                break;
        }
    }

    private void LogFailure(PipelineHost host)
    {
        if (host.LastError is not { } error)
        {
            return;
        }

        if (host.LastErrorStage == "(factory)")
        {
            HostingLog.BuildFailed(logger, Name, error.GetType().Name, error);
        }
        else
        {
            HostingLog.Failed(logger, Name, host.LastErrorClass ?? Errors.ErrorClass.Fatal, host.LastErrorStage ?? Name, error.GetType().Name, error);
        }
    }

    private void OnCommitted(object? sender, PipelineCommittedEventArgs e) =>
        HostingLog.Committed(
            logger,
            Name,
            string.Join(", ", e.Positions.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Partition}@{p.Offset}"))),
            e.CommitLag);
}
