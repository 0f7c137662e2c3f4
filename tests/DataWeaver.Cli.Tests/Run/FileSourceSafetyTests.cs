using System.Text;
using System.Text.Json;
using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Run;

/// <summary>Issue 10, found bugs 4, 7, 8 and 9, end to end through <c>dataweaver run</c>.</summary>
public sealed class FileSourceSafetyTests : IDisposable
{
    private const string Secret = "Zq7-s3cr3t-Xw";

    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public async Task Run_InvalidUtf8Line_TheDeadLetterKeepsTheOriginalBytes()
    {
        var bad = Encoding.UTF8.GetBytes("{\"id\":1,\"s\":\"a").Concat(new byte[] { 0xFF, 0xFE }).Concat(Encoding.UTF8.GetBytes("b\"}")).ToArray();
        File.WriteAllBytes(_folder["in.jsonl"], [.. bad, (byte)'\n', .. Encoding.UTF8.GetBytes("{\"id\":2}\n")]);
        _folder.Write("p.yaml", Pipeline("in.jsonl", transforms: ""));

        var result = await _folder.Cli().RunAsync("run", "p.yaml");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["{\"id\":2}"], File.ReadAllLines(_folder["out.jsonl"]));
        using var letter = JsonDocument.Parse(Assert.Single(File.ReadAllLines(_folder["dl.jsonl"])));
        Assert.Equal(System.Convert.ToBase64String(bad), letter.RootElement.GetProperty("payloadBase64").GetString());
        Assert.False(letter.RootElement.TryGetProperty("payload", out _));
    }

    [Fact]
    public async Task Run_CastOfADoubleOutOfRange_DeadLettersTheRecordAsADataErrorAndARestartGoesOn()
    {
        File.WriteAllText(_folder["in.jsonl"], "{\"id\":1,\"v\":1e400}\n{\"id\":2,\"v\":2.5}\n");
        _folder.Write("p.yaml", Pipeline("in.jsonl", transforms: "transforms: [ { cast: { field: v, to: double } } ]"));

        var first = await _folder.Cli().RunAsync("run", "p.yaml");
        File.AppendAllText(_folder["in.jsonl"], "{\"id\":3,\"v\":3}\n");
        var second = await _folder.Cli().RunAsync("run", "p.yaml");

        Assert.Equal(0, first.ExitCode);
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(["{\"id\":2,\"v\":2.5}", "{\"id\":3,\"v\":3}"], File.ReadAllLines(_folder["out.jsonl"]));
        using var letter = JsonDocument.Parse(Assert.Single(File.ReadAllLines(_folder["dl.jsonl"])));
        Assert.Equal("Data", letter.RootElement.GetProperty("error").GetProperty("class").GetString());
        Assert.Equal("cast v:double#1", letter.RootElement.GetProperty("stage").GetString());
        Assert.Equal("{\"id\":1,\"v\":1e400}", letter.RootElement.GetProperty("payload").GetRawText());
    }

    [Fact]
    public async Task Run_SecretInTheSourcePath_AppearsInNoDeadLetterCheckpointFileNameOrContent()
    {
        File.WriteAllText(_folder[$"in-{Secret}.jsonl"], "{\"id\":1}\n{\"id\":2,\"long\":\"" + new string('x', 100) + "\"}\n{\"id\":3}\n");
        _folder.Write("p.yaml", Pipeline("in-${secret:TOK}.jsonl", transforms: "", sourceSettings: "maxRecordBytes: 50"));
        var cli = _folder.Cli();
        cli.Environment["TOK"] = Secret;

        var result = await cli.RunAsync("run", "p.yaml");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["{\"id\":1}", "{\"id\":3}"], File.ReadAllLines(_folder["out.jsonl"]));
        var letter = Assert.Single(File.ReadAllLines(_folder["dl.jsonl"]));
        Assert.Contains("byte offset 9", letter, StringComparison.Ordinal); // the too-long line's message names the file...
        Assert.DoesNotContain(Secret, letter, StringComparison.Ordinal);   // ...without the secret
        var checkpoint = Assert.Single(Directory.GetFiles(_folder["cp"]));
        Assert.DoesNotContain(Secret, Path.GetFileName(checkpoint), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, File.ReadAllText(checkpoint), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_SetTransformWithASecretValue_IsRefusedNamingTheKey()
    {
        File.WriteAllText(_folder["in.jsonl"], "{\"id\":1}\n");
        _folder.Write("p.yaml", Pipeline("in.jsonl", transforms: "transforms: [ { set: { field: token, value: \"${secret:TOK}\" } } ]"));
        var cli = _folder.Cli();
        cli.Environment["TOK"] = Secret;

        var validate = await cli.RunAsync("validate", "p.yaml");
        var run = await cli.RunAsync("run", "p.yaml");

        Assert.Equal(2, validate.ExitCode);
        Assert.Contains("transforms[0].set.value: 'set' would write a secret into every record", validate.Error, StringComparison.Ordinal);
        Assert.Equal(2, run.ExitCode);
        Assert.False(File.Exists(_folder["out.jsonl"]) && File.ReadAllText(_folder["out.jsonl"]).Contains(Secret, StringComparison.Ordinal));
        Assert.DoesNotContain(Secret, validate.Out + validate.Error + run.Out + run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_LastLineWithoutLineEnd_StaysUnreadUntilCompletedOrReadUnterminatedLastLineIsSet()
    {
        File.WriteAllText(_folder["in.jsonl"], "{\"id\":1}\n{\"id\":2,\"na");
        _folder.Write("p.yaml", Pipeline("in.jsonl", transforms: ""));
        _folder.Write("whole.yaml", Pipeline("in.jsonl", transforms: "", sourceSettings: "readUnterminatedLastLine: true").Replace("out.jsonl", "whole.jsonl", StringComparison.Ordinal).Replace("checkpointDirectory: cp", "checkpointDirectory: cp2", StringComparison.Ordinal));

        var first = await _folder.Cli().RunAsync("run", "p.yaml");
        var firstOut = File.ReadAllLines(_folder["out.jsonl"]);
        File.AppendAllText(_folder["in.jsonl"], "me\":\"x\"}");
        var second = await _folder.Cli().RunAsync("run", "p.yaml");
        var whole = await _folder.Cli().RunAsync("run", "whole.yaml");

        Assert.Equal((0, 0, 0), (first.ExitCode, second.ExitCode, whole.ExitCode));
        Assert.Equal(["{\"id\":1}"], firstOut);                         // the half-written line is not read...
        Assert.Equal(0, new FileInfo(_folder["dl.jsonl"]).Length);     // ...nor dead-lettered
        Assert.Equal(["{\"id\":1}"], File.ReadAllLines(_folder["out.jsonl"])); // complete now, but still without its line end
        Assert.Equal(["{\"id\":1}", "{\"id\":2,\"name\":\"x\"}"], File.ReadAllLines(_folder["whole.jsonl"]));
    }

    [Fact]
    public async Task Run_MissingInputFile_FailsNamingTheFile()
    {
        _folder.Write("p.yaml", Pipeline("missing.jsonl", transforms: ""));

        var result = await _folder.Cli().RunAsync("run", "p.yaml");

        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"The input file '{_folder["missing.jsonl"]}' of the source", result.Error, StringComparison.Ordinal);
        Assert.Contains("InputFileNotFoundException", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FollowTrue_ReadsLinesAppendedWhileRunningUntilStopped()
    {
        File.WriteAllText(_folder["in.jsonl"], "{\"id\":1}\n{\"id\":2,");
        _folder.Write("p.yaml", Pipeline("in.jsonl", transforms: "", sourceSettings: "follow: true, pollInterval: 10ms", commitInterval: "50ms"));
        var cli = _folder.Cli();

        var running = cli.StartAsync(["run", "p.yaml", "--progress-interval", "50ms"]);
        await WaitForLinesAsync(_folder["out.jsonl"], 1, running);
        File.AppendAllText(_folder["in.jsonl"], "\"x\":1}\n{\"id\":3}\n");
        await WaitForLinesAsync(_folder["out.jsonl"], 3, running);
        cli.Signal();
        var result = await running;

        Assert.Equal(0, result.ExitCode); // drained
        Assert.Equal(["{\"id\":1}", "{\"id\":2,\"x\":1}", "{\"id\":3}"], File.ReadAllLines(_folder["out.jsonl"]));
        Assert.False(File.Exists(_folder["dl.jsonl"]) && File.ReadAllText(_folder["dl.jsonl"]).Length > 0);
    }

    private static string Pipeline(string input, string transforms, string sourceSettings = "", string commitInterval = "1s") => $$"""
        version: 1
        pipelines:
          - name: p
            source:
              type: json-lines-file
              settings: { path: "{{input}}", checkpointDirectory: cp{{(sourceSettings.Length > 0 ? ", " + sourceSettings : "")}} }
            {{transforms}}
            commitInterval: {{commitInterval}}
            errors: { onFailure: dead-letter, deadLetter: { type: json-lines-file, settings: { path: dl.jsonl, append: true } } }
            sinks:
              - { type: json-lines-file, settings: { path: out.jsonl, append: true } }
        """;

    private static async Task WaitForLinesAsync(string path, int lines, Task running)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(path) || File.ReadAllLines(path).Length < lines)
        {
            Assert.False(running.IsCompleted, "the run ended early: " + (running.IsCompletedSuccessfully ? ((Task<CliResult>)running).Result : running.Exception));
            await Task.Delay(20, timeout.Token);
        }
    }
}
