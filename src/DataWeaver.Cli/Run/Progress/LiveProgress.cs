using DataWeaver.Cli.Logging;
using DataWeaver.Lifecycle;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace DataWeaver.Cli.Run.Progress;

/// <summary>
/// Progress on an interactive terminal (standard error): a Spectre.Console live table refreshed four times a second.
/// Below <see cref="WideWidth"/> columns it is compact, one row per pipeline (state, records in and out, dead-lettered,
/// in flight of its bound, commit lag, % done and time left when the source knows its size) and a line per pipeline with
/// its rates and busiest block; from <see cref="WideWidth"/> columns it adds rates, errors and a row per block (queue
/// fill and busy share). No cell wraps: a name too long for its column ends with an ellipsis.
/// </summary>
/// <param name="console">The terminal.</param>
/// <param name="time">The clock of the refreshes.</param>
/// <param name="scrub">Removes secrets from every cell.</param>
/// <param name="log">The CLI's log, whose lines are held while the table is drawn; <see langword="null"/> when there is none.</param>
internal sealed class LiveProgress(IAnsiConsole console, TimeProvider time, Func<string, string> scrub, CliLog? log = null) : IProgressDisplay
{
    /// <summary>The time between two refreshes of the table.</summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The terminal width from which the wide layout is drawn.</summary>
    public const int WideWidth = 120;

    private const string Stopping = "Ctrl+C drains (what was read is delivered and committed); a second Ctrl+C aborts";

    private const string StoppingShort = "Ctrl+C drains, a second Ctrl+C aborts";

    /// <inheritdoc />
    public async Task ShowAsync(IReadOnlyList<ProgressTracker> pipelines, Task completion)
    {
        var hold = log?.Hold();
        try
        {
            await console.Live(Render(pipelines)).AutoClear(false).Overflow(VerticalOverflow.Ellipsis).StartAsync(async live =>
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
            }).ConfigureAwait(false);
        }
        finally
        {
            hold?.Dispose(); // the log lines that came while the table was drawn, below it
        }
    }

    /// <summary>Renders the table for the pipelines' current samples (internal for the layout tests).</summary>
    /// <param name="pipelines">The pipelines.</param>
    /// <returns>What to draw.</returns>
    internal IRenderable Render(IReadOnlyList<ProgressTracker> pipelines) => Render([.. pipelines.Select(t => t.Sample())], console.Profile.Width);

    /// <summary>Renders samples at a width: the header line, the table, and the compact layout's rate lines.</summary>
    /// <param name="samples">One sample per pipeline.</param>
    /// <param name="width">The terminal's width.</param>
    /// <returns>What to draw.</returns>
    internal IRenderable Render(IReadOnlyList<ProgressSample> samples, int width)
    {
        var wide = width >= WideWidth;
        var elapsed = samples.Count == 0 ? TimeSpan.Zero : samples.Max(s => s.Statistics.Elapsed);
        List<IRenderable> rows = [Line($"elapsed {ProgressText.Clock(elapsed)} · {(wide ? Stopping : StoppingShort)}", new Style(Color.Grey), width)];
        rows.Add(wide ? WideTable(samples) : CompactTable(samples));
        if (!wide)
        {
            rows.AddRange(samples.Where(s => s.State is PipelineState.Running or PipelineState.Draining or PipelineState.Pausing).Select(s => Line(RateLine(s), new Style(Color.Grey), width)));
        }

        if (log?.HeldCount is > 0 and var held)
        {
            rows.Add(Line($"{held} log line{(held == 1 ? string.Empty : "s")} held, written below when the run ends; the last warning:", new Style(Color.Yellow), width));
            if (log.LastWarning is { } warning)
            {
                rows.Add(Line("  " + warning, new Style(Color.Yellow), width));
            }
        }

        return new Rows(rows);
    }

    /// <summary>The compact layout's line of a pipeline's rates and busiest block.</summary>
    internal static string RateLine(ProgressSample sample)
    {
        if (!sample.IsSteady)
        {
            return $"{sample.Name}: starting";
        }

        var line = $"{sample.Name}: in {ProgressText.Compact(sample.InPerSecond)}/s, out {ProgressText.Compact(sample.OutPerSecond)}/s";
        return sample.Busiest is { } busiest ? line + $"; busiest {busiest.Id} '{busiest.Name}' busy {ProgressText.Percent(busiest.Busy)}, queue {ProgressText.Percent(busiest.QueueFill)}" : line;
    }

    private static Text Cell(string text, Style? style = null) => new Text(text, style ?? Style.Plain).Overflow(Overflow.Ellipsis);

    private static string InFlight(ProgressSample sample) => $"{ProgressText.Compact(sample.Statistics.RecordsInFlight)}/{ProgressText.Compact(sample.InFlightBound)}";

    private static string Done(ProgressSample sample) => sample.Source is { } source ? ProgressText.Percent(Math.Floor(source.Fraction * 100) / 100) : "-";

    private static string Eta(ProgressSample sample) => sample.Remaining is { } left ? ProgressText.Clock(left) : "-";

    private static TableColumn Column(string header, int? width = null, bool right = true)
    {
        var column = new TableColumn(new Text(header, new Style(decoration: Decoration.Bold))).NoWrap().Padding(0, 0, 1, 0);
        column.Alignment = right ? Justify.Right : Justify.Left;
        column.Width = width;
        return column;
    }

    /// <summary>A line that never wraps: cut to the width, with an ellipsis.</summary>
    private Text Line(string text, Style style, int width)
    {
        text = scrub(text);
        return new Text(text.Length < width ? text : string.Concat(text.AsSpan(0, Math.Max(0, width - 2)), "…"), style);
    }

    private Table CompactTable(IReadOnlyList<ProgressSample> samples)
    {
        var table = new Table().Border(TableBorder.None).AddColumns(
            Column("pipeline", 12, right: false), Column("state", 9, right: false), Column("in"), Column("out"), Column("dead"), Column("in flight"), Column("lag"), Column("done"), Column("ETA"));
        foreach (var sample in samples)
        {
            var stats = sample.Statistics;
            table.AddRow(
                Cell(scrub(sample.Name), new Style(decoration: Decoration.Bold)),
                Cell(ProgressText.State(sample), StateStyle(sample.State)),
                Cell(ProgressText.Compact(stats.RecordsRead)),
                Cell(ProgressText.Compact(stats.RecordsWritten)),
                Cell(ProgressText.Compact(stats.RecordsDeadLettered), stats.RecordsDeadLettered > 0 ? new Style(Color.Yellow) : Style.Plain),
                Cell(InFlight(sample)),
                Cell(ProgressText.Compact(stats.CommitLag)),
                Cell(Done(sample)),
                Cell(Eta(sample)));
        }

        return table;
    }

    private Table WideTable(IReadOnlyList<ProgressSample> samples)
    {
        var table = new Table().Border(TableBorder.None).AddColumns(
            Column("pipeline / block", 28, right: false), Column("state", 9, right: false), Column("in"), Column("in/s"), Column("out"), Column("out/s"), Column("errors"),
            Column("dead-lettered"), Column("in flight"), Column("lag"), Column("done"), Column("ETA"), Column("queue"), Column("busy"));
        foreach (var sample in samples)
        {
            var stats = sample.Statistics;
            table.AddRow(
                Cell(scrub(sample.Name), new Style(decoration: Decoration.Bold)),
                Cell(ProgressText.State(sample), StateStyle(sample.State)),
                Cell(ProgressText.Count(stats.RecordsRead)),
                Cell(sample.IsSteady ? ProgressText.Compact(sample.InPerSecond) : "-"),
                Cell(ProgressText.Count(stats.RecordsWritten)),
                Cell(sample.IsSteady ? ProgressText.Compact(sample.OutPerSecond) : "-"),
                Cell(ProgressText.Count(stats.Errors), stats.Errors > 0 ? new Style(Color.Red) : Style.Plain),
                Cell(ProgressText.Count(stats.RecordsDeadLettered), stats.RecordsDeadLettered > 0 ? new Style(Color.Yellow) : Style.Plain),
                Cell(InFlight(sample)),
                Cell(ProgressText.Compact(stats.CommitLag)),
                Cell(Done(sample)),
                Cell(Eta(sample)),
                Cell(string.Empty),
                Cell(string.Empty));
            foreach (var block in sample.Blocks)
            {
                var cells = Enumerable.Repeat<IRenderable>(Cell(string.Empty), 14).ToArray();
                cells[0] = Cell(scrub($"  {block.Id} {block.Kind.ToString().ToLowerInvariant()} '{block.Name}'"), new Style(Color.Grey));
                cells[12] = Cell(ProgressText.Percent(block.QueueFill));
                cells[13] = Cell(ProgressText.Percent(block.Busy), block.Busy >= 0.9 ? new Style(Color.Yellow) : Style.Plain);
                table.AddRow(cells);
            }
        }

        return table;
    }

    private static Style StateStyle(PipelineState state) => state switch
    {
        PipelineState.Failed or PipelineState.Aborted => new Style(Color.Red),
        PipelineState.Draining or PipelineState.Pausing or PipelineState.Paused or PipelineState.Restarting => new Style(Color.Yellow),
        PipelineState.Completed or PipelineState.Stopped => new Style(Color.Green),
        _ => Style.Plain,
    };
}
