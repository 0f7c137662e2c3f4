using DataWeaver.Configuration;

namespace DataWeaver.Cli.Run;

/// <summary>
/// Stops a session's pipelines through their hosts (<see cref="ManagedPipeline.Host"/>): the first stop signal drains
/// every pipeline (they end <c>stopped</c>), and the drain timeout or a second signal aborts them (<c>aborted</c>). A
/// pipeline that fails does not stop the others: they run on to their own end (docs/lifecycle.md). Thread-safe:
/// signals arrive on their own threads.
/// </summary>
internal sealed class StopController(CliContext context, IReadOnlyList<ManagedPipeline> pipelines, TimeSpan drainTimeout) : IDisposable
{
    private readonly Lock _lock = new();
    private ITimer? _timer;
    private int _signals;
    private bool _draining;
    private bool _aborted;
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

    /// <inheritdoc />
    public void Dispose()
    {
        lock (_lock)
        {
            _disposed = true;
            _timer?.Dispose();
        }
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
        }

        foreach (var pipeline in pipelines)
        {
            pipeline.Host.RequestStop(); // the session awaits every host's completion
        }
    }

    private void Abort(string reason)
    {
        lock (_lock)
        {
            if (_disposed || _aborted)
            {
                return;
            }

            _aborted = true;
        }

        if (pipelines.Any(p => p.CurrentRun is not null))
        {
            context.Error.WriteLine($"aborting: {reason}; records in flight are dropped without being committed");
        }

        foreach (var pipeline in pipelines)
        {
            pipeline.Host.Abort();
        }
    }
}
