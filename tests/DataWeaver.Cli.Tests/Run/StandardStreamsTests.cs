using System.Text.Json;
using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Run;

/// <summary>Issue 11, found 1: status and data shared standard output, so <c>dataweaver run console.yaml | jq .</c> failed on the banner and the summary.</summary>
public sealed class StandardStreamsTests : IDisposable
{
    private const string ConsolePipeline = """
        version: 1
        pipelines:
          - name: console
            source: { type: generator, settings: { count: 2000, fields: { id: "{n}", customer: "c-{n % 7}" } } }
            transforms:
              - filter: { field: customer, op: "!=", value: "c-3" }
            sinks:
              - { type: console }
        """;

    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Run_ConsoleSinkAsAProcessWithStdoutCaptured_EveryStdoutLineParsesAsJson()
    {
        _folder.Write("console.yaml", ConsolePipeline);
        using var tool = ToolProcess.Start(_folder.Path, new Dictionary<string, string>(), ["run", "console.yaml", "--progress-interval", "100ms"]);

        var code = await tool.WaitForExitAsync();

        Assert.True(code == 0, $"exit {code}\n{tool.Out}\n{tool.Error}");
        var lines = tool.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1714, lines.Length); // every record but those of customer c-3 (n % 7 == 3: 286 of 2,000)
        Assert.All(lines, line =>
        {
            using var record = JsonDocument.Parse(line);
            Assert.NotEqual("c-3", record.RootElement.GetProperty("customer").GetString());
        });
        Assert.Equal(Enumerable.Range(0, 2000).Where(n => n % 7 != 3).Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)), lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("id").GetString()));
        Assert.Contains("running console from console.yaml", tool.Error, StringComparison.Ordinal);
        Assert.Contains("console: completed in ", tool.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_SinkWritesToATerminalsStdout_DrawsNoLiveTableAndPrintsPlainLinesOnStderr()
    {
        _folder.Write("console.yaml", """
            version: 1
            pipelines:
              - name: console
                source: { type: memory, settings: { records: [{ id: 1 }] } }
                sinks:
                  - { type: file, settings: { path: "-" }, format: json }
            """);
        var cli = new InProcessCli { WorkingDirectory = _folder.Path, Interactive = true, OutputIsTerminal = true };

        var result = await cli.RunAsync("run", "console.yaml");

        Assert.Equal(0, result.ExitCode);
        Assert.DoesNotContain("\u001b[", result.Error, StringComparison.Ordinal); // no live table, no cursor movement
        Assert.Equal("running console from console.yaml; Ctrl+C or SIGTERM drains, a second one aborts", result.ErrorLines[0]);
        Assert.StartsWith("console: completed in ", result.ErrorLines[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InteractiveWithAFileSink_DrawsTheLiveTableOnStderrOnly()
    {
        _folder.Write("copy.yaml", """
            version: 1
            pipelines:
              - name: copy
                source: { type: memory, settings: { records: [{ id: 1 }] } }
                sinks:
                  - { type: json-lines-file, settings: { path: out.jsonl } }
            """);
        var cli = new InProcessCli { WorkingDirectory = _folder.Path, Interactive = true, OutputIsTerminal = true };

        var result = await cli.RunAsync("run", "copy.yaml");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.Contains("\u001b[", result.Error, StringComparison.Ordinal);
        Assert.Equal(["{\"id\":1}"], File.ReadAllLines(_folder["out.jsonl"]));
    }

    [Fact]
    public async Task Run_InteractiveWithAJsonLinesInput_ShowsTheShareOfItsBytesDone()
    {
        _folder.Write("input.jsonl", string.Concat(Enumerable.Range(0, 500).Select(n => $"{{\"id\":{n}}}\n")));
        _folder.Write("copy.yaml", """
            version: 1
            pipelines:
              - name: copy
                source: { type: json-lines-file, settings: { path: input.jsonl } }
                sinks:
                  - { type: json-lines-file, settings: { path: out.jsonl } }
            """);
        var cli = new InProcessCli { WorkingDirectory = _folder.Path, Interactive = true, TerminalWidth = 80 };

        var result = await cli.RunAsync("run", "copy.yaml");

        Assert.Equal(0, result.ExitCode);
        var screen = System.Text.RegularExpressions.Regex.Replace(result.Error, @"\u001b\[[0-9;?]*[A-Za-z]", string.Empty);
        Assert.Matches(@"copy +completed +500 +500 +0 +0/65,536 +0 +100% ", screen); // the last table: all bytes of the input read
        Assert.Equal(500, File.ReadAllLines(_folder["out.jsonl"]).Length);
    }

    public void Dispose() => _folder.Dispose();
}
