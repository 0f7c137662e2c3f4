using System.Text.RegularExpressions;
using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Run;

/// <summary>
/// Issue 11, found 4: the live table fell apart at 80 columns (every cell wrapped), and had no elapsed time, % done, ETA,
/// in-flight bound or lag. Here the built tool runs in a real terminal (tmux) at 80 and 160 columns, and its screen is
/// captured mid-run: one line per pipeline, nothing wider than the terminal. The captures are saved beside the tests
/// (live-table-80.txt, live-table-160.txt) and shown in docs/cli.md.
/// </summary>
public sealed partial class LiveTableTerminalTests : IDisposable
{
    // 4,000 records at 1,000 a second: long enough for the table to show rates, % done and the time left.
    private const string Paced = """
        version: 1
        pipelines:
          - name: orders
            source: { type: generator, settings: { count: 4000, rate: 1000, fields: { id: "{n}", customer: "c-{n % 7}" } } }
            transforms:
              - filter: { field: customer, op: "!=", value: "c-3" }
            sinks:
              - { type: json-lines-file, settings: { path: out/orders.jsonl } }
        """;

    private readonly TestFolder _folder = new();

    [SkippableTheory]
    [InlineData(80)]
    [InlineData(160)]
    public async Task LiveTable_InATmuxTerminal_FitsTheWidthWithOneLinePerPipelineAndShowsDoneAndEta(int width)
    {
        Skip.IfNot(Tmux.IsAvailable, "tmux is not installed (eng/test.sh installs it: apt-get install -y tmux); the live table needs a real terminal");
        _folder.Write("orders.yaml", Paced);

        using var tmux = Tmux.Start(width, 16, _folder.Path, ["dotnet", ToolProcess.ToolPath, "run", "orders.yaml"]);
        var running = await tmux.WaitForScreenAsync(s => RunningRow().IsMatch(s), "a running row with % done and the time left");
        var ended = await tmux.WaitForScreenAsync(s => s.Contains("[exit ", StringComparison.Ordinal), "the end of the run");
        File.WriteAllText(Path.Combine(AppContext.BaseDirectory, $"live-table-{width}.txt"), running + "\n--- at the end\n" + ended);

        var lines = running.Split('\n');
        Assert.All(lines, line => Assert.True(line.Length <= width, $"wider than {width}: '{line}'\n{running}"));
        var row = Assert.Single(lines, l => RunningRow().IsMatch(l)); // the pipeline's cells on one line: nothing wrapped
        Assert.Contains("/65,536", row, StringComparison.Ordinal); // in flight of its bound
        Assert.Contains(lines, l => l.StartsWith("elapsed 0:0", StringComparison.Ordinal) && l.EndsWith("aborts", StringComparison.Ordinal)); // the header line not wrapped either
        foreach (var header in new[] { "pipeline", "state", "in", "out", "in flight", "lag", "done", "ETA" })
        {
            Assert.Contains(header, lines.Single(l => l.TrimStart().StartsWith("pipeline", StringComparison.Ordinal)), StringComparison.Ordinal);
        }

        if (width >= 120)
        {
            Assert.Contains("b0 source 'generator'", running, StringComparison.Ordinal);
            Assert.Contains("in/s", running, StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(lines, l => l.StartsWith("orders: in ", StringComparison.Ordinal) && l.Contains("/s", StringComparison.Ordinal));
        }

        Assert.Contains("[exit 0]", ended, StringComparison.Ordinal);
        Assert.Contains("orders: completed in ", ended, StringComparison.Ordinal);
        Assert.Matches(@"orders\s+completed\s+4,000\s+(\S+\s+)?3,429\s", ended); // the final counters stay on screen (571 records of customer c-3 filtered out)
        Assert.Equal(3429, File.ReadAllLines(_folder["out/orders.jsonl"]).Length);
    }

    public void Dispose() => _folder.Dispose();

    [GeneratedRegex(@"orders\s+running\s+.*\d+%\s+\d+:\d\d")]
    private static partial Regex RunningRow();
}
