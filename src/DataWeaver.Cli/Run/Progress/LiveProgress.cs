using Spectre.Console;

namespace DataWeaver.Cli.Run.Progress;

/// <summary>
/// Progress on an interactive terminal: a Spectre.Console live table refreshed four times a second, with a row per
/// pipeline (records in and out per second and in total, errors, dead-lettered, in flight) and a row per block (queue
/// fill and busy share).
/// </summary>
/// <param name="console">The terminal.</param>
/// <param name="time">The clock of the refreshes.</param>
/// <param name="scrub">Removes secrets from every cell.</param>
internal sealed class LiveProgress(IAnsiConsole console, TimeProvider time, Func<string, string> scrub) : IProgressDisplay
{
    /// <summary>The time between two refreshes of the table.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    private static readonly string[] Columns = ["pipeline / block", "state", "in/s", "out/s", "in", "out", "errors", "dead-lettered", "in flight", "queue", "busy"];

    /// <inheritdoc />
    public Task ShowAsync(IReadOnlyList<ProgressTracker> pipelines, Task completion) =>
        console.Live(Render(pipelines)).AutoClear(false).StartAsync(async live =>
        {
            using var stop = new CancellationTokenSource();
            while (await Task.WhenAny(completion, Task.Delay(RefreshInterval, time, stop.Token)).ConfigureAwait(false) != completion)
            {
                live.UpdateTarget(Render(pipelines));
                live.Refresh();
            }

            await stop.CancelAsync().ConfigureAwait(false);
            live.UpdateTarget(Render(pipelines));
            live.Refresh();
        });

    private Table Render(IReadOnlyList<ProgressTracker> pipelines)
    {
        var table = new Table().Border(TableBorder.Rounded).Caption("Ctrl+C drains (what was read is delivered and committed); a second Ctrl+C aborts");
        foreach (var column in Columns)
        {
            table.AddColumn(new TableColumn(column) { Alignment = column is "pipeline / block" or "state" ? Justify.Left : Justify.Right });
        }

        foreach (var tracker in pipelines)
        {
            var sample = tracker.Sample();
            var stats = sample.Statistics;
            table.AddRow(
                Cell(sample.Name, new Style(decoration: Decoration.Bold)),
                Cell(ProgressText.State(sample.State)),
                Cell(ProgressText.Rate(sample.InPerSecond)),
                Cell(ProgressText.Rate(sample.OutPerSecond)),
                Cell(ProgressText.Count(stats.RecordsRead)),
                Cell(ProgressText.Count(stats.RecordsWritten)),
                Cell(ProgressText.Count(stats.Errors), stats.Errors > 0 ? new Style(Color.Red) : null),
                Cell(ProgressText.Count(stats.RecordsDeadLettered), stats.RecordsDeadLettered > 0 ? new Style(Color.Yellow) : null),
                Cell(ProgressText.Count(stats.RecordsInFlight)),
                Cell(string.Empty),
                Cell(string.Empty));
            foreach (var block in sample.Blocks)
            {
                table.AddRow(
                    Cell($"  {block.Id} {block.Kind.ToString().ToLowerInvariant()} '{block.Name}'", new Style(Color.Grey)),
                    Cell(string.Empty),
                    Cell(string.Empty),
                    Cell(string.Empty),
                    Cell(string.Empty),
                    Cell(string.Empty),
                    Cell(string.Empty),
                    Cell(string.Empty),
                    Cell(string.Empty),
                    Cell(ProgressText.Percent(block.QueueFill)),
                    Cell(ProgressText.Percent(block.Busy), block.Busy >= 0.9 ? new Style(Color.Yellow) : null));
            }
        }

        return table;
    }

    /// <summary>A cell of plain text (never parsed as markup), without secrets.</summary>
    private Text Cell(string text, Style? style = null) => new Text(scrub(text), style);
}
