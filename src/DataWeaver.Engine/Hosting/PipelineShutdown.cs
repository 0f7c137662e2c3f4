using System.Runtime.InteropServices;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;

namespace DataWeaver.Hosting;

/// <summary>
/// Runs a pipeline from a command-line program until it ends or the process is asked to stop: the first
/// SIGTERM, SIGINT (Ctrl+C) or SIGQUIT drains the run (the source stops reading, what was read is delivered
/// and committed) within a timeout, after which the run is aborted; a second signal aborts at once.
/// </summary>
/// <remarks>
/// While the run lasts, the signals do not terminate the process: the handlers cancel the default action,
/// so the program decides its exit code after the call returns. Hosted runs (a .NET Generic Host) stop
/// through the host's own shutdown instead.
/// </remarks>
public static class PipelineShutdown
{
    /// <summary>The signals that stop a run: SIGTERM, SIGINT (Ctrl+C) and SIGQUIT.</summary>
    public static IReadOnlyList<PosixSignal> Signals { get; } = [PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGQUIT];

    /// <summary>
    /// Starts <paramref name="pipeline"/> and waits for the run to end, draining it on the first stop signal
    /// and aborting it on the second or when <paramref name="drainTimeout"/> has passed since the first.
    /// </summary>
    /// <param name="pipeline">The pipeline to run.</param>
    /// <param name="drainTimeout">
    /// How long a drain may take before the run is aborted, measured on the pipeline's
    /// <see cref="PipelineOptions.TimeProvider"/>; <see cref="Timeout.InfiniteTimeSpan"/> waits for the drain.
    /// </param>
    /// <param name="cancellationToken">Aborts the run, as the token of <see cref="Pipeline.Start"/> does.</param>
    /// <returns>
    /// <see cref="PipelineState.Completed"/> when the source ran out, <see cref="PipelineState.Stopped"/> when a
    /// signal's drain finished (everything read was delivered and committed either way); <see cref="PipelineState.Aborted"/>
    /// when the drain timed out, a second signal came or <paramref name="cancellationToken"/> fired.
    /// </returns>
    /// <exception cref="Exception">The run failed: the original exception of the failing stage.</exception>
    public static Task<PipelineState> RunUntilSignalAsync(Pipeline pipeline, TimeSpan drainTimeout, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        CheckTimeout(drainTimeout);
        return RunUntilSignalAsync(pipeline, drainTimeout, SubscribeToSignals, cancellationToken);
    }

    /// <summary>The same, with the stop signals coming from <paramref name="subscribe"/> (tests raise them by hand).</summary>
    internal static async Task<PipelineState> RunUntilSignalAsync(
        Pipeline pipeline, TimeSpan drainTimeout, Func<Action, IDisposable> subscribe, CancellationToken cancellationToken)
    {
        CheckTimeout(drainTimeout);
        var host = new PipelineHost(pipeline, new PipelineHostOptions { DrainTimeout = drainTimeout, TimeProvider = pipeline.Options.TimeProvider });
        var signals = 0;
        var run = host.Start();
        if (run is null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(host.LastError!);
            return PipelineState.Failed;
        }

        using (cancellationToken.Register(static state => ((PipelineHost)state!).Abort(), host))
        using (subscribe(() =>
        {
            if (Interlocked.Increment(ref signals) == 1)
            {
                host.RequestStop();
            }
            else
            {
                host.Abort();
            }
        }))
        {
            await host.Completion.ConfigureAwait(false);
        }

        if (run.Completion.IsFaulted)
        {
            await run.Completion.ConfigureAwait(false); // rethrows the original exception
        }

        return host.State;
    }

    private static void CheckTimeout(TimeSpan drainTimeout)
    {
        if (drainTimeout < TimeSpan.Zero && drainTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(drainTimeout), drainTimeout, "The drain timeout must not be negative, or be Timeout.InfiniteTimeSpan.");
        }
    }

    /// <summary>
    /// Calls <paramref name="onSignal"/> on every SIGTERM, SIGINT (Ctrl+C) and SIGQUIT until the subscription is disposed,
    /// cancelling the signals' default action (ending the process), for programs that stop other work than one pipeline
    /// the way <see cref="RunUntilSignalAsync(Pipeline, TimeSpan, CancellationToken)"/> does. A signal this platform
    /// cannot deliver is not subscribed.
    /// </summary>
    /// <param name="onSignal">Runs on a thread of the runtime for each signal; MUST NOT block.</param>
    /// <returns>The subscription; dispose it to restore the default actions.</returns>
    public static IDisposable SubscribeToSignals(Action onSignal)
    {
        ArgumentNullException.ThrowIfNull(onSignal);
        var registrations = new Registrations();
        foreach (var signal in Signals)
        {
            try
            {
                registrations.Add(PosixSignalRegistration.Create(signal, context =>
                {
                    context.Cancel = true; // the process lives on: the run decides when it ends
                    onSignal();
                }));
            }
            catch (PlatformNotSupportedException)
            {
                // This platform cannot deliver that signal (SIGQUIT on some); the others still stop the run.
            }
        }

        return registrations;
    }

    private sealed class Registrations : List<PosixSignalRegistration>, IDisposable
    {
        public void Dispose()
        {
            foreach (var registration in this)
            {
                registration.Dispose();
            }
        }
    }
}
