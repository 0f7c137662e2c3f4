using DataWeaver.Cli.Run.Progress;
using DataWeaver.Configuration;
using DataWeaver.Pipelines;

namespace DataWeaver.Cli.Run;

/// <summary>
/// Runs managed pipelines side by side until they end: shows their progress (a live table on a terminal, plain lines
/// otherwise), drains them on the first stop signal and aborts them on the second or after the drain timeout, drains
/// the others when one fails, and prints a summary. Shared by <c>run</c> and <c>convert</c>.
/// </summary>
internal static class RunSession
{
    /// <summary>Starts the pipelines and waits for them to end.</summary>
    /// <param name="context">The process context.</param>
    /// <param name="manager">The manager of the pipelines.</param>
    /// <param name="pipelines">The pipelines to start, not running.</param>
    /// <param name="settings">The drain timeout and progress interval.</param>
    /// <param name="scrub">Removes secrets from everything printed.</param>
    /// <returns>How the session ended.</returns>
    public static async Task<RunOutcome> RunAsync(CliContext context, PipelineManager manager, IReadOnlyList<ManagedPipeline> pipelines, RunSettings settings, Func<string, string> scrub)
    {
        using var stopper = new StopController(context, manager, pipelines, settings.DrainTimeout);
        var trackers = pipelines.Select(p => new ProgressTracker(p)).ToList();
        var started = pipelines.Select(p => manager.StartPipeline(p.Name)).ToList(); // all started before a failure or a signal can stop them
        using (context.StopSignals(stopper.OnSignal))
        {
            var runs = started.Select(run => WatchAsync(run, stopper)).ToList();
            var display = ProgressDisplays.Create(context, settings, scrub); // live table or plain lines, both on standard error
            await display.ShowAsync(trackers, Task.WhenAll(runs)).ConfigureAwait(false);
        }

        RunSummary.Print(context, pipelines, scrub, stopper.SignalReceived);
        return pipelines.Any(p => p.State == ManagedPipelineState.Faulted) ? RunOutcome.Failed
            : pipelines.Any(p => p.State == ManagedPipelineState.Aborted) ? RunOutcome.Aborted
            : stopper.SignalReceived ? RunOutcome.Drained
            : RunOutcome.Completed;
    }

    /// <summary>Waits for a run to end without throwing; a failed run drains the session's other pipelines.</summary>
    private static async Task WatchAsync(PipelineRun run, StopController stopper)
    {
        await run.Completion.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (run.State == PipelineRunState.Faulted)
        {
            stopper.StopAfterFailure();
        }
    }
}
