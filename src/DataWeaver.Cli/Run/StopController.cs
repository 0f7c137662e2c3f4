using DataWeaver.Configuration;

namespace DataWeaver.Cli.Run;

/// <summary>
/// Stops a session's pipelines: the first stop signal (or a failed pipeline) drains every pipeline, and the drain
/// timeout or a second signal aborts them. Thread-safe: signals arrive on their own threads.
/// </summary>
internal sealed class StopController(CliContext context, PipelineManager manager, IReadOnlyList<ManagedPipeline> pipelines, TimeSpan drainTimeout) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _abort = new();
    private ITimer? _timer;
    private int _signals;
    private bool _draining;
    private bool _disposed;

    /// <summary>Gets a value indicating whether a stop signal came.</summary>
    public bool SignalReceived => Volatile.Read(ref _signals) > 0;

    /// <summary>The handler of stop signals: the first drains, the second aborts.</summary>
    public void OnSignal()
    {
        var signals = Interlocked.Increment(ref _signals);
        if (signals == 1)
        {
            var timeout = drainTimeout == Timeout.InfiniteTimeSpan ? "no timeout" : $"aborting after {drainTimeout.TotalSeconds:0.###} s";
            context.Error.WriteLine($"stopping: draining (what was read is delivered and committed; {timeout}); a second Ctrl+C aborts");
            Drain();
        }
        else if (signals == 2)
        {
            Abort("a second stop signal");
        }
    }

    /// <summary>Drains the pipelines still running, after one of them failed.</summary>
    public void StopAfterFailure() => Drain();

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
        }

        _abort.Dispose();
    }

    private void Drain()
    {
        lock (_lock)
        {
            if (_draining || _disposed)
            {
                return;
            }

            _draining = true;
            if (drainTimeout != Timeout.InfiniteTimeSpan)
            {
                _timer = context.Time.CreateTimer(static state => ((StopController)state!).Abort("the drain timeout"), this, drainTimeout, Timeout.InfiniteTimeSpan);
            }

            foreach (var pipeline in pipelines)
            {
                _ = manager.StopPipelineAsync(pipeline.Name, _abort.Token); // completes when the run ends; the session awaits the runs
            }
        }
    }

    private void Abort(string reason)
    {
        lock (_lock)
        {
            if (_disposed || _abort.IsCancellationRequested)
            {
                return;
            }

            if (pipelines.Any(p => p.CurrentRun is not null))
            {
                context.Error.WriteLine($"aborting: {reason}; records in flight are dropped without being committed");
            }

            _abort.Cancel();
            foreach (var pipeline in pipelines)
            {
                manager.AbortPipeline(pipeline.Name);
            }
        }
    }
}
