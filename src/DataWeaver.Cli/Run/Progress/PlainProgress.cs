namespace DataWeaver.Cli.Run.Progress;

/// <summary>Progress when standard error is not a terminal (logs, CI) or a sink owns the terminal: one line per running pipeline every interval.</summary>
/// <param name="output">Where the lines go.</param>
/// <param name="time">The clock of the interval.</param>
/// <param name="interval">The time between two rounds of lines.</param>
/// <param name="scrub">Removes secrets from each line.</param>
internal sealed class PlainProgress(TextWriter output, TimeProvider time, TimeSpan interval, Func<string, string> scrub) : IProgressDisplay
{
    /// <inheritdoc />
    public async Task ShowAsync(IReadOnlyList<ProgressTracker> pipelines, Task completion)
    {
        using var stop = new CancellationTokenSource();
        while (true)
        {
            var tick = Task.Delay(interval, time, stop.Token);
            if (await Task.WhenAny(completion, tick).ConfigureAwait(false) == completion)
            {
                await stop.CancelAsync().ConfigureAwait(false);
                return;
            }

            foreach (var tracker in pipelines.Where(t => t.Pipeline.CurrentRun is not null))
            {
                output.WriteLine(scrub(Line(tracker.Sample())));
            }
        }
    }

    /// <summary>Formats one progress line: counters, rates and the busiest block.</summary>
    /// <param name="sample">The pipeline's reading.</param>
    /// <returns>The line.</returns>
    internal static string Line(ProgressSample sample)
    {
        var stats = sample.Statistics;
        var line = $"[{ProgressText.Seconds(stats.Elapsed)}] {sample.Name} {ProgressText.State(sample)}: in {ProgressText.Count(stats.RecordsRead)}{Rate(sample, sample.InPerSecond)}, "
            + $"out {ProgressText.Count(stats.RecordsWritten)}{Rate(sample, sample.OutPerSecond)}, errors {ProgressText.Count(stats.Errors)}, "
            + $"dead-lettered {ProgressText.Count(stats.RecordsDeadLettered)}, in flight {ProgressText.Count(stats.RecordsInFlight)} of {ProgressText.Count(sample.InFlightBound)}, lag {ProgressText.Count(stats.CommitLag)}";
        if (sample.Source is { } source)
        {
            line += $", {ProgressText.Percent(Math.Floor(source.Fraction * 100) / 100)} done";
            if (sample.Remaining is { } left)
            {
                line += $", {ProgressText.Clock(left)} left";
            }
        }

        return sample.Busiest is { } busiest
            ? line + $"; busiest {busiest.Id} '{busiest.Name}' busy {ProgressText.Percent(busiest.Busy)}, queue {ProgressText.Percent(busiest.QueueFill)}"
            : line;
    }

    /// <summary>A rate in parentheses, once the run is long enough for rates to mean something.</summary>
    private static string Rate(ProgressSample sample, double perSecond) => sample.IsSteady ? $" ({ProgressText.Rate(perSecond)})" : string.Empty;
}
