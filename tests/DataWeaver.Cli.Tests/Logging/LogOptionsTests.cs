using System.Text.Json;
using DataWeaver.Cli.Logging;
using DataWeaver.Cli.Tests.Infrastructure;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Cli.Tests.Logging;

/// <summary>Issue 11, found 8: the CLI had no log level, and connector diagnostics (a file source's notices) never reached its output.</summary>
public sealed class LogOptionsTests : IDisposable
{
    private const string Canary = "canary-5ecr3t-77";

    private readonly TestFolder _folder = new();

    public LogOptionsTests()
    {
        // The input's last line has no line end: the source leaves it unread and says so in a notice.
        _folder.Write("input.jsonl", "{\"id\":1}\n{\"id\":2}");
        _folder.Write("copy.yaml", """
            version: 1
            pipelines:
              - name: copy
                source: { type: json-lines-file, settings: { path: input.jsonl } }
                sinks:
                  - { type: json-lines-file, settings: { path: "out-${secret:TOKEN}.jsonl" } }
            """);
    }

    [Fact]
    public async Task Run_DefaultLogLevel_WritesTheSourceNoticeAsAWarningLineOnStderr()
    {
        var result = await Cli().RunAsync("run", "copy.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Empty(result.Out);
        var line = Assert.Single(result.ErrorLines, l => l.Contains(" warning DataWeaver.Sources: ", StringComparison.Ordinal));
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z warning DataWeaver.Sources: pipeline 'copy', source 'json-lines-file': UnterminatedTail: ", line);
        Assert.Contains("8 bytes", line, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LogFormatJson_WritesEachEntryAsOneParsableJsonLineWithItsFields()
    {
        var result = await Cli().RunAsync("run", "copy.yaml", "--log-format", "json", "--log-level", "debug");

        Assert.True(result.ExitCode == 0, result.ToString());
        var json = result.ErrorLines.Where(l => l.StartsWith('{')).ToList();
        var entry = Assert.Single(json);
        using var document = JsonDocument.Parse(entry);
        var root = document.RootElement;
        Assert.Equal("warning", root.GetProperty("level").GetString());
        Assert.Equal("DataWeaver.Sources", root.GetProperty("category").GetString());
        Assert.Equal("SourceNotice", root.GetProperty("eventName").GetString());
        Assert.Equal("copy", root.GetProperty("Pipeline").GetString());
        Assert.Equal("UnterminatedTail", root.GetProperty("Kind").GetString());
        Assert.StartsWith("pipeline 'copy', source 'json-lines-file': UnterminatedTail: ", root.GetProperty("message").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Canary, result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LogLevelError_HidesTheWarning()
    {
        var result = await Cli().RunAsync("run", "copy.yaml", "--log-level", "error");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.DoesNotContain(result.ErrorLines, l => l.Contains("DataWeaver.Sources", StringComparison.Ordinal));
        Assert.Equal(["{\"id\":1}"], File.ReadAllLines(_folder[$"out-{Canary}.jsonl"]));
    }

    [Fact]
    public async Task Run_UnknownLogLevel_IsAUsageError()
    {
        var result = await Cli().RunAsync("run", "copy.yaml", "--log-level", "loud");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("loud", result.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("text")]
    [InlineData("json")]
    public void CliLog_SecretInMessageFieldAndException_IsScrubbedFromTheLine(string formatName)
    {
        var format = Enum.Parse<LogFormat>(formatName, ignoreCase: true);
        using var output = new StringWriter();
        using var log = new CliLog(output, new LogSettings(LogLevel.Information, format), TimeProvider.System);
        log.UseScrubber(text => text.Replace(Canary, "***", StringComparison.Ordinal));
        var logger = log.CreateLogger("Test");

#pragma warning disable CA1848, CA2254 // a plain call, to log exactly these values
        logger.LogWarning(new InvalidOperationException($"failed with {Canary}"), "connecting with {Password} to {Host}", Canary, "broker:9092");
        logger.LogDebug("below the level, not written");
#pragma warning restore CA1848, CA2254

        var line = Assert.Single(output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain(Canary, line, StringComparison.Ordinal);
        Assert.Contains("connecting with *** to broker:9092", line, StringComparison.Ordinal);
        if (format == LogFormat.Json)
        {
            using var document = JsonDocument.Parse(line);
            Assert.Equal("***", document.RootElement.GetProperty("Password").GetString());
            Assert.Equal("System.InvalidOperationException: failed with ***", document.RootElement.GetProperty("exception").GetString());
        }
        else
        {
            Assert.EndsWith("warning Test: connecting with *** to broker:9092 (InvalidOperationException: failed with ***)", line, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CliLog_WhileHeld_KeepsLinesAndWritesThemWhenReleased()
    {
        using var output = new StringWriter();
        using var log = new CliLog(output, LogSettings.Default, TimeProvider.System);
        var logger = log.CreateLogger("Test");

        var hold = log.Hold();
#pragma warning disable CA1848 // a plain call
        logger.LogWarning("during the table");
#pragma warning restore CA1848
        Assert.Equal(string.Empty, output.ToString());
        Assert.Equal(1, log.HeldCount);
        hold.Dispose();

        Assert.EndsWith("warning Test: during the table", output.ToString().TrimEnd(), StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    private InProcessCli Cli()
    {
        var cli = _folder.Cli();
        cli.Environment["TOKEN"] = Canary;
        return cli;
    }
}
