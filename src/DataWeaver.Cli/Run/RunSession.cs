using DataWeaver.Cli.Run.Progress;
using DataWeaver.Cli.Run.Reload;
using DataWeaver.Configuration;
using DataWeaver.Lifecycle;
using DataWeaver.Operations;

namespace DataWeaver.Cli.Run;

/// <summary>
/// Runs managed pipelines side by side until they end, each on its <see cref="PipelineHost"/>: shows their progress (a
/// live table on a terminal, plain lines otherwise), drains them on the first stop signal and aborts them on the second
/// or after the drain timeout, and prints a summary. A pipeline that fails does not stop the others (they run on and are
/// reported by their own end). Shared by <c>run</c> and <c>convert</c>.
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
    public static Task<RunOutcome> RunAsync(CliContext context, PipelineManager manager, IReadOnlyList<ManagedPipeline> pipelines, RunSettings settings, Func<string, string> scrub) =>
        RunAsync(context, manager, new SessionPipelines(pipelines), settings, scrub);

    /// <summary>Starts the pipelines and waits for them to end, including those a reload starts meanwhile.</summary>
    /// <param name="context">The process context.</param>
    /// <param name="manager">The manager of the pipelines.</param>
    /// <param name="pipelines">The session's pipelines, not running; a reload (<see cref="DefinitionReloader"/>) replaces, adds and removes some while they run.</param>
    /// <param name="settings">The drain timeout and progress interval.</param>
    /// <param name="scrub">Removes secrets from everything printed.</param>
    /// <param name="operated">The pipelines as the operations endpoint drives them (<c>--http</c>), whose restarts do not end the session; <see langword="null"/> without an endpoint.</param>
    /// <returns>How the session ended.</returns>
    public static async Task<RunOutcome> RunAsync(CliContext context, PipelineManager manager, SessionPipelines pipelines, RunSettings settings, Func<string, string> scrub, OperatedPipelines? operated = null)
    {
        using var stopper = new StopController(context, pipelines, settings.DrainTimeout);
        void OnStateChanged(object? sender, PipelineStateChangedEventArgs e)
        {
            // The others run on (docs/lifecycle.md): say so now rather than only in the summary.
            if (e.Current == PipelineState.Failed && pipelines.Any(p => p.Name != e.Name && PipelineStates.IsActive(p.State)))
            {
                context.Error.WriteLine(scrub($"pipeline '{e.Name}' failed; the other pipelines run on (Ctrl+C stops them)"));
            }
        }

        manager.StateChanged += OnStateChanged; // also the pipelines a reload starts
        foreach (var pipeline in pipelines)
        {
            manager.StartPipeline(pipeline.Name); // all started before a signal can stop them
        }

        void OnStopSignal()
        {
            pipelines.Close(); // no reload starts anything after a stop
            stopper.OnSignal();
        }

        using (context.StopSignals(OnStopSignal))
        {
            var display = ProgressDisplays.Create(context, settings, scrub); // live table or plain lines, both on standard error
            var ended = pipelines.WhenAllEndedAsync(now => operated?.WhenAllEndedAsync() ?? Task.WhenAll(now.Select(static p => p.Host.Completion)));
            await display.ShowAsync(pipelines.Trackers, ended).ConfigureAwait(false);
        }

        manager.StateChanged -= OnStateChanged;
        var final = pipelines.ToList();
        RunSummary.Print(context, final, scrub, stopper.SignalReceived);
        return Outcome(final.Select(p => p.State));
    }

    /// <summary>Gets how a session ended from its pipelines' end states: any failed, else any aborted, else any stopped (drained), else completed.</summary>
    /// <param name="states">The end state of every pipeline.</param>
    /// <returns>The outcome.</returns>
    internal static RunOutcome Outcome(IEnumerable<PipelineState> states)
    {
        var ended = states.ToList();
        return ended.Contains(PipelineState.Failed) ? RunOutcome.Failed
            : ended.Contains(PipelineState.Aborted) ? RunOutcome.Aborted
            : ended.Contains(PipelineState.Stopped) ? RunOutcome.Drained
            : RunOutcome.Completed;
    }
}
