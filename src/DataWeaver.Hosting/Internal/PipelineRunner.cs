using System.Globalization;
using DataWeaver.Diagnostics;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Hosting.Internal;

/// <summary>
/// Runs one hosted pipeline: builds it, starts a run, drains it when the host stops (aborting after the drain timeout),
/// restarts it after failures as the options allow, and keeps its <see cref="HostedPipelineStatus"/>.
/// </summary>
internal sealed class PipelineRunner(PipelineRegistration registration, IServiceProvider services, ILogger logger, TimeProvider time)
{
    private readonly TaskCompletionSource _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HostedPipelineStatus _status = new() { Name = registration.Name, State = HostedPipelineState.Starting };
    private PipelineRun? _run;
    private int _draining;

    public string Name => registration.Name;

    public IAsyncDisposable? Owner => registration.Owner;

    public HostedPipelineStatus Status => Volatile.Read(ref _status);

    /// <summary>Gets a task that completes when the pipeline no longer runs (completed, stopped, aborted or failed).</summary>
    public Task Ended => _ended.Task;

    public async Task RunAsync(DataWeaverHostOptions options, IHostApplicationLifetime? lifetime, CancellationToken stoppingToken)
    {
        try
        {
            await RunLoopAsync(options, lifetime, stoppingToken).ConfigureAwait(false);
        }
        finally
        {
            _ended.TrySetResult();
        }
    }

    /// <summary>Aborts the current run at once (the host's shutdown timeout passed).</summary>
    public void Abort()
    {
        if (Volatile.Read(ref _run) is { Completion.IsCompleted: false } run)
        {
            HostingLog.HostTimeout(logger, Name);
            run.Abort();
        }
    }

    private async Task RunLoopAsync(DataWeaverHostOptions options, IHostApplicationLifetime? lifetime, CancellationToken stoppingToken)
    {
        var restarts = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var run = Start();
            if (run is null)
            {
                break; // a configuration error: building again gives the same answer
            }

            await RunOnceAsync(run, options.DrainTimeout, restarts, stoppingToken).ConfigureAwait(false);
            if (!run.Completion.IsFaulted)
            {
                return;
            }

            if (Volatile.Read(ref _draining) != 0 || restarts >= options.MaxRestarts)
            {
                break;
            }

            var delay = RestartDelay(options, restarts++);
            Update(s => s with { State = HostedPipelineState.Restarting, Restarts = restarts });
            HostingLog.Restarting(logger, Name, delay, restarts, options.MaxRestarts);
            try
            {
                await Task.Delay(delay, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }

        if (Status.State is HostedPipelineState.Starting or HostedPipelineState.Restarting && Status.LastError is null)
        {
            Update(s => s with { State = HostedPipelineState.Stopped }); // the host stopped before the pipeline started
            return;
        }

        Update(s => s with { State = HostedPipelineState.Failed });
        if (options.StopApplicationOnFailure)
        {
            lifetime?.StopApplication();
        }
    }

    /// <summary>Builds the pipeline and starts a run; <see langword="null"/> when the factory (or the start) threw.</summary>
    private PipelineRun? Start()
    {
        try
        {
            // The stopping token drains the run (see RunOnceAsync); it does not abort it.
            return registration.Factory(services).Start(CancellationToken.None);
        }
        catch (Exception exception)
        {
            HostingLog.BuildFailed(logger, Name, exception.GetType().Name, exception);
            Update(s => s with { State = HostedPipelineState.Failed, LastError = exception, LastErrorClass = ErrorClass.Fatal, LastErrorStage = "(factory)" });
            return null;
        }
    }

    private async Task RunOnceAsync(PipelineRun run, TimeSpan drainTimeout, int restarts, CancellationToken stoppingToken)
    {
        var pipeline = run.Pipeline;
        Volatile.Write(ref _run, run);
        if (logger.IsEnabled(LogLevel.Debug))
        {
            run.Committed += OnCommitted;
        }

        Update(s => s with { State = HostedPipelineState.Running, Run = run, Restarts = restarts });
        HostingLog.Started(logger, Name, pipeline.Describe().Blocks.Count, pipeline.Options.MaxInFlightRecords);
        ITimer? drainTimer = null;
        using (stoppingToken.Register(() => drainTimer = Drain(run, drainTimeout)))
        {
            await run.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        drainTimer?.Dispose();
        run.Committed -= OnCommitted;
        var statistics = run.Statistics;
        var draining = Volatile.Read(ref _draining) != 0;
        if (run.Completion.IsCompletedSuccessfully)
        {
            if (draining)
            {
                HostingLog.Drained(logger, Name, statistics.RecordsRead, statistics.RecordsWritten);
            }
            else
            {
                HostingLog.Completed(logger, Name, statistics.RecordsRead, statistics.RecordsWritten);
            }

            Update(s => s with { State = draining ? HostedPipelineState.Stopped : HostedPipelineState.Completed });
        }
        else if (run.Completion.IsCanceled)
        {
            HostingLog.Aborted(logger, Name, statistics.RecordsInFlight);
            Update(s => s with { State = HostedPipelineState.Aborted });
        }
        else
        {
            var error = run.Completion.Exception!.InnerException!;
            var errorClass = error.Data["DataWeaver.ErrorClass"] as ErrorClass? ?? ErrorClass.Fatal;
            var stage = error.Data["DataWeaver.Stage"] as string ?? pipeline.Name;
            HostingLog.Failed(logger, Name, errorClass, stage, error.GetType().Name, error);
            Update(s => s with { LastError = error, LastErrorClass = errorClass, LastErrorStage = stage });
        }
    }

    private ITimer? Drain(PipelineRun run, TimeSpan drainTimeout)
    {
        Volatile.Write(ref _draining, 1);
        if (run.Completion.IsCompleted)
        {
            return null;
        }

        Update(s => s.State == HostedPipelineState.Running ? s with { State = HostedPipelineState.Draining } : s);
        HostingLog.Draining(logger, Name, drainTimeout);
        run.RequestStop();
        return drainTimeout == Timeout.InfiniteTimeSpan
            ? null
            : time.CreateTimer(static state => ((PipelineRun)state!).Abort(), run, drainTimeout, Timeout.InfiniteTimeSpan);
    }

    private void OnCommitted(object? sender, PipelineCommittedEventArgs e) =>
        HostingLog.Committed(
            logger,
            Name,
            string.Join(", ", e.Positions.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Partition}@{p.Offset}"))),
            e.CommitLag);

    private static TimeSpan RestartDelay(DataWeaverHostOptions options, int restart)
    {
        var delay = options.RestartDelay * Math.Pow(2, Math.Min(restart, 30));
        return delay > options.MaxRestartDelay ? options.MaxRestartDelay : delay;
    }

    private void Update(Func<HostedPipelineStatus, HostedPipelineStatus> change)
    {
        lock (registration)
        {
            Volatile.Write(ref _status, change(_status));
        }
    }
}
