using DataWeaver.Cli.Logging;
using DataWeaver.Cli.Run.Progress;
using DataWeaver.Connectors;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using Microsoft.Extensions.Logging;
using Spectre.Console;

namespace DataWeaver.Cli.Tests.Run;

/// <summary>Issue 11, found 4 and 6: the live table's layouts, tiny runs without noisy rates, and a source that reads nothing shown as waiting with the last warning.</summary>
public sealed class ProgressLayoutTests
{
    [Theory]
    [InlineData(80)]
    [InlineData(100)]
    [InlineData(160)]
    public void Render_ThreePipelinesWithLongNames_EveryLineFitsTheWidth(int width)
    {
        var (text, _) = Render(width, null, Sample("a-pipeline-with-a-very-long-name", 123_456_789, TimeSpan.FromMinutes(3), new SourceProgress(40, 100, SourceProgressUnit.Bytes)), Sample("short", 5, TimeSpan.FromSeconds(3), null), Sample("idle", 0, TimeSpan.FromSeconds(5), null));

        var lines = text.Split('\n');
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= width, $"'{l}' is wider than {width}\n{text}"));
        Assert.Single(lines, l => l.Contains("40%", StringComparison.Ordinal) && l.Contains("4:30", StringComparison.Ordinal)); // 40% in 3 min: 4 min 30 s left, on the pipeline's one line
        Assert.Single(lines, l => l.Contains("idle", StringComparison.Ordinal) && l.Contains("waiting", StringComparison.Ordinal));
        Assert.Contains(lines, l => l.StartsWith("elapsed 3:00 · Ctrl+C drains", StringComparison.Ordinal) && l.Contains("aborts", StringComparison.Ordinal));
    }

    [Fact]
    public void Render_WarningsHeldWhileDrawn_ShowsTheirCountAndTheLastOneCutToTheWidth()
    {
        using var output = new StringWriter();
        using var log = new CliLog(output, LogSettings.Default, TimeProvider.System);
        using var hold = log.Hold();
#pragma warning disable CA1848 // a plain call
        log.CreateLogger("DataWeaver.Kafka").LogWarning("Connect to ipv4#127.0.0.1:9 failed: Connection refused (after 0ms in state CONNECT, 4 identical error(s) suppressed), and more words to pass eighty columns");
#pragma warning restore CA1848

        var (text, _) = Render(80, log, Sample("from-kafka", 0, TimeSpan.FromSeconds(4), null));

        Assert.Contains("from-kafka   waiting", text, StringComparison.Ordinal);
        Assert.Contains("1 log line held, written below when the run ends; the last warning:", text, StringComparison.Ordinal);
        var warning = Assert.Single(text.Split('\n'), l => l.StartsWith("  DataWeaver.Kafka: Connect to ipv4#127.0.0.1:9 failed", StringComparison.Ordinal));
        Assert.EndsWith("…", warning.TrimEnd(), StringComparison.Ordinal);
        Assert.True(warning.TrimEnd().Length < 80);
        Assert.Equal(string.Empty, output.ToString()); // held until the table ends
    }

    [Fact]
    public void Line_TinyRun_PrintsNoRates()
    {
        var line = PlainProgress.Line(Sample("tiny", 3, TimeSpan.FromMilliseconds(40), null) with { InPerSecond = 75, OutPerSecond = 75 });

        Assert.Equal("[0.0 s] tiny running: in 3, out 3, errors 0, dead-lettered 0, in flight 0 of 65,536, lag 0", line);
    }

    [Fact]
    public void Line_SteadyRunWithKnownSize_PrintsRatesDoneAndTimeLeft()
    {
        var line = PlainProgress.Line(Sample("files", 1000, TimeSpan.FromSeconds(10), new SourceProgress(25, 100, SourceProgressUnit.Bytes)) with { InPerSecond = 100, OutPerSecond = 100 });

        Assert.Equal("[10.0 s] files running: in 1,000 (100/s), out 1,000 (100/s), errors 0, dead-lettered 0, in flight 0 of 65,536, lag 0, 25% done, 0:30 left", line);
    }

    private static ProgressSample Sample(string name, long records, TimeSpan elapsed, SourceProgress? source) =>
        new(name, PipelineState.Running, new PipelineStatistics(records, records, 0, 0, 0) { Elapsed = elapsed }, records / Math.Max(elapsed.TotalSeconds, 1), records / Math.Max(elapsed.TotalSeconds, 1), [])
        {
            InFlightBound = 65_536,
            Source = source,
        };

    private static (string Text, IAnsiConsole Console) Render(int width, CliLog? log, params ProgressSample[] samples)
    {
        using var writer = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(writer) });
        console.Profile.Width = width;
        console.Write(new LiveProgress(console, TimeProvider.System, static t => t, log).Render(samples, width));
        return (writer.ToString().Replace("\r", string.Empty, StringComparison.Ordinal), console);
    }
}
