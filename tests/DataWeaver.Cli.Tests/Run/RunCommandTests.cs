using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Run;

public sealed class RunCommandTests : IDisposable
{
    private const string Endless = """
        version: 1
        pipelines:
          - name: endless
            source:
              type: generator
              settings: { fields: { id: "{n}", customer: "c-{n % 7}" } }
            sinks:
              - { type: json-lines-file, settings: { path: out/endless.jsonl } }
        """;

    /// <summary>A pipeline whose only record fails a cast (a data error), to add after another in a file.</summary>
    private const string FailingPipeline = """
          - name: failing
            source: { type: memory, settings: { records: [{ qty: "x" }] } }
            transforms:
              - cast: { field: qty, to: int }
            sinks:
              - { type: discard }
        """;

    private static readonly System.Text.RegularExpressions.Regex HoldingRecords = new(@"endless running: .*, in flight [1-9]");

    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Run_InvalidFile_PrintsEveryErrorWithFileLineColumnAndKeyAndExits2()
    {
        _folder.Write("pipeline.yaml", """
            version: 1
            pipelines:
              - name: orders
                source: { type: generatr, settings: { count: 10, fields: { id: "{n}" } } }
                transforms:
                  - filtr: { field: amount, op: ">=", value: 100 }
                parallelism: { degree: 0 }
                sinks:
                  - type: json-lines-file
                    settings: { pth: out.jsonl }
            """);

        var result = await _folder.Cli().RunAsync("run", "pipeline.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(
            [
                "pipeline.yaml:4:21: pipelines[0].source.type: Unknown source 'generatr' (did you mean 'generator'?).",
                "pipeline.yaml:6:9: pipelines[0].transforms[0].filtr: 'filtr' is not one of: filter, set, rename, drop, cast, timestamp, lookup, code, dedupe, enrich, throttle, window, reduce, join (did you mean 'filter'?).",
                "pipeline.yaml:7:28: pipelines[0].parallelism.degree: Must be at least 1; found 0.",
                "pipeline.yaml:10:19: pipelines[0].sinks[0].settings.path: The sink 'json-lines-file' needs the setting 'path': The file to write (folders are created).",
                "pipeline.yaml:10:21: pipelines[0].sinks[0].settings.pth: The sink 'json-lines-file' has no setting 'pth' (did you mean 'path'?).",
            ],
            result.ErrorLines);
        Assert.Empty(result.Out);
        Assert.False(Directory.Exists(_folder["out"]));
    }

    [Fact]
    public async Task Run_MissingFile_Exits2NamingTheFile()
    {
        var result = await _folder.Cli().RunAsync("run", "nowhere.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("nowhere.yaml: The file does not exist.", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FileThatCompletes_WritesEveryRecordPrintsSummaryAndExits0()
    {
        _folder.Write("copy.yaml", """
            version: 1
            pipelines:
              - name: copy
                source:
                  type: generator
                  settings:
                    count: ${COUNT}
                    fields: { id: { number: {} } }
                transforms:
                  - filter: { field: id, op: "<", value: 1000 }
                sinks:
                  - { type: json-lines-file, settings: { path: "${OUT:-out}/copy.jsonl" } }
            """);
        var cli = _folder.Cli();
        cli.Environment["COUNT"] = "5000";
        cli.Environment["OUT"] = "from-environment";

        var result = await cli.RunAsync("run", "copy.yaml", "--set", "OUT=overridden", "--set", "OUT=from-set");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(1000, File.ReadAllLines(_folder["from-set/copy.jsonl"]).Length);
        Assert.False(Directory.Exists(_folder["from-environment"]));
        Assert.False(Directory.Exists(_folder["overridden"]));
        Assert.Empty(result.Out); // standard output is for data only
        Assert.Equal("running copy from copy.yaml; Ctrl+C or SIGTERM drains, a second one aborts", result.ErrorLines[0]);
        Assert.Matches(@"^copy: completed in \d+\.\d s: in 5,000( \(\d[\d,]*/s\))?, out 1,000( \(\d[\d,]*/s\))?, errors 0, dead-lettered 0, skipped 0$", result.ErrorLines[^1]);
        Assert.Equal(2, result.ErrorLines.Length);
    }

    [Fact]
    public async Task Run_StopSignal_DrainsWhatWasReadAndExits0()
    {
        _folder.Write("endless.yaml", Endless);
        var cli = _folder.Cli();

        var running = cli.StartAsync(["run", "endless.yaml", "--progress-interval", "50ms"]);
        await cli.WaitForOutputAsync("endless running: in ", running);
        cli.Signal();
        var result = await running;

        Assert.Equal(0, result.ExitCode);
        var summary = result.ErrorLines[^1];
        Assert.StartsWith("endless: stopped in ", summary, StringComparison.Ordinal);
        var written = File.ReadAllLines(_folder["out/endless.jsonl"]);
        Assert.Contains($"out {written.Length:N0}", summary, StringComparison.Ordinal);
        Assert.Equal(Enumerable.Range(0, written.Length).Select(n => $"{{\"id\":\"{n}\",\"customer\":\"c-{n % 7}\"}}"), written);
        Assert.Contains(result.ErrorLines, l => l.StartsWith("stopping: draining", StringComparison.Ordinal));
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Run_RedirectedOutput_PrintsPlainProgressLinesWithRatesAndBusiestBlock()
    {
        _folder.Write("endless.yaml", Endless);
        var cli = _folder.Cli();

        var running = cli.StartAsync(["run", "endless.yaml", "--progress-interval", "20ms"]);
        await cli.WaitForOutputAsync("\n[", running);
        await WaitForLinesAsync(cli, "endless running: ", 3, running);
        cli.Signal();
        var result = await running;

        var progress = result.ErrorLines.Where(l => l.Contains("endless running: ", StringComparison.Ordinal)).ToList();
        Assert.True(progress.Count >= 3, result.ToString());
        Assert.All(progress, line => Assert.Matches(
            @"^\[\d+\.\d s\] endless running: in [\d,]+( \([\d,]+/s\))?, out [\d,]+( \([\d,]+/s\))?, errors 0, dead-lettered 0, in flight [\d,]+ of 65,536, lag [\d,]+(; busiest b\d '[^']+' busy \d+%, queue \d+%)?$",
            line));
        Assert.Empty(result.Out);
    }

    [Fact]
    public async Task Run_SecondSignalWhileDraining_AbortsAndExits130()
    {
        _folder.Write("held.yaml", Endless.Replace("{ type: json-lines-file, settings: { path: out/endless.jsonl } }", "{ type: hold }", StringComparison.Ordinal));
        var cli = new InProcessCli { WorkingDirectory = _folder.Path, Registry = HoldingSink.Registry };

        var running = cli.StartAsync(["run", "held.yaml", "--progress-interval", "50ms", "--drain-timeout", "infinite"]);
        await cli.WaitForOutputAsync(HoldingRecords, running); // the sink holds records: the drain cannot finish
        cli.Signal();
        cli.Signal();
        var result = await running;

        Assert.Equal(130, result.ExitCode);
        Assert.StartsWith("endless: aborted in ", result.ErrorLines[^1], StringComparison.Ordinal);
        Assert.Equal(["stopping: draining (what was read is delivered and committed; no timeout); a second Ctrl+C aborts", "aborting: a second stop signal; records in flight are dropped without being committed"], result.ErrorLines.Where(l => l.StartsWith("stopping", StringComparison.Ordinal) || l.StartsWith("aborting", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Run_DrainTimeoutPasses_AbortsAndExits130()
    {
        _folder.Write("held.yaml", Endless.Replace("{ type: json-lines-file, settings: { path: out/endless.jsonl } }", "{ type: hold }", StringComparison.Ordinal));
        var cli = new InProcessCli { WorkingDirectory = _folder.Path, Registry = HoldingSink.Registry };

        var running = cli.StartAsync(["run", "held.yaml", "--progress-interval", "50ms", "--drain-timeout", "100ms"]);
        await cli.WaitForOutputAsync(HoldingRecords, running);
        cli.Signal();
        var result = await running;

        Assert.Equal(130, result.ExitCode);
        Assert.Equal(["stopping: draining (what was read is delivered and committed; aborting after 0.1 s); a second Ctrl+C aborts", "aborting: the drain timeout; records in flight are dropped without being committed"], result.ErrorLines.Where(l => l.StartsWith("stopping", StringComparison.Ordinal) || l.StartsWith("aborting", StringComparison.Ordinal)));
    }

    // Issue 10, bug 5: two runs on one output at once both wrote; the second now fails at once naming the first.
    [Fact]
    public async Task Run_SecondRunOnTheSameOutputWhileTheFirstRuns_Exits3NamingTheHolderAndTheFirstRunsOutputIsWhole()
    {
        _folder.Write("endless.yaml", Endless);
        var first = _folder.Cli();
        var running = first.StartAsync(["run", "endless.yaml", "--progress-interval", "50ms"]);
        await first.WaitForOutputAsync("endless running: in ", running);

        var second = await _folder.Cli().RunAsync("run", "endless.yaml");
        first.Signal();
        var result = await running;

        Assert.Equal(3, second.ExitCode);
        var error = Assert.Single(second.ErrorLines, l => l.StartsWith("error: ", StringComparison.Ordinal));
        Assert.StartsWith("error: pipeline 'endless' failed: fatal error in stage ", error, StringComparison.Ordinal);
        Assert.Contains($"FileLockedException: The output '{_folder["out/endless.jsonl"]}' is in use by another run (process {Environment.ProcessId} on {Environment.MachineName} since ", error, StringComparison.Ordinal);
        Assert.Equal(0, result.ExitCode);
        var written = File.ReadAllLines(_folder["out/endless.jsonl"]);
        Assert.Equal(Enumerable.Range(0, written.Length).Select(n => $"{{\"id\":\"{n}\",\"customer\":\"c-{n % 7}\"}}"), written);
    }

    // Issue 10, bug 1: a misspelled input emptied the existing output.
    [Fact]
    public async Task Run_SourceFileMissing_Exits3AndTheExistingOutputIsUntouched()
    {
        _folder.Write("out.jsonl", "{\"earlier\":1}\n");
        _folder.Write("copy.yaml", """
            version: 1
            pipelines:
              - name: copy
                source: { type: json-lines-file, settings: { path: inptu.jsonl } }
                sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
            """);

        var result = await _folder.Cli().RunAsync("run", "copy.yaml");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("{\"earlier\":1}\n", File.ReadAllText(_folder["out.jsonl"]));
        Assert.Equal(["copy.yaml", "out.jsonl"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Run_StageFails_PrintsErrorClassStageAndScrubbedMessageAndExits3()
    {
        const string canary = "canary-5ecr3t-41";
        _folder.Write("failing.yaml", """
            version: 1
            pipelines:
              - name: failing
                source:
                  type: memory
                  settings:
                    records: [{ id: 1, qty: "7" }, { id: 2, qty: "${secret:TOKEN}" }]
                transforms:
                  - cast: { field: qty, to: int }
                sinks:
                  - { type: json-lines-file, settings: { path: "out/${secret:TOKEN}.jsonl" } }
            """);
        var cli = _folder.Cli();
        cli.Environment["TOKEN"] = canary;

        var result = await cli.RunAsync("run", "failing.yaml");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal("error: pipeline 'failing' failed: data error in stage 'cast qty:int#1': DataWeaverException: The field 'qty' (***) cannot be converted to int.", result.ErrorLines[^1]);
        Assert.StartsWith("failing: failed in ", result.ErrorLines[^2], StringComparison.Ordinal);
        Assert.DoesNotContain(canary, result.Out + result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OnePipelineFails_TheOtherRunsToItsOwnEndAndExits3()
    {
        // Issue 11, found 2: the sibling of a failing pipeline was cut off after 11 of 100 records and reported completed.
        _folder.Write("two.yaml", """
            version: 1
            pipelines:
              - name: hundred
                source: { type: generator, settings: { count: 100, fields: { id: "{n}" } } }
                sinks:
                  - { type: json-lines-file, settings: { path: out/hundred.jsonl } }
            """ + "\n" + FailingPipeline);

        var result = await _folder.Cli().RunAsync("run", "two.yaml");

        Assert.Equal(3, result.ExitCode);
        Assert.Equal(100, File.ReadAllLines(_folder["out/hundred.jsonl"]).Length);
        Assert.StartsWith("hundred: completed in ", result.ErrorLines.Single(l => l.StartsWith("hundred:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.StartsWith("failing: failed in ", result.ErrorLines.Single(l => l.StartsWith("failing:", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Contains("error: pipeline 'failing' failed: data error in stage 'cast qty:int#1'", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_OnePipelineFailsBesideAStream_StreamRunsOnUntilStopped()
    {
        _folder.Write("two.yaml", Endless + "\n" + FailingPipeline);
        var cli = _folder.Cli();

        var running = cli.StartAsync(["run", "two.yaml", "--progress-interval", "50ms"]);
        using (var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60)))
        {
            while (!cli.Error.Contains("pipeline 'failing' failed; the other pipelines run on", StringComparison.Ordinal))
            {
                await Task.Delay(20, guard.Token);
            }
        }

        await cli.WaitForOutputAsync("endless running: in ", running);
        cli.Signal();
        var result = await running;

        Assert.Equal(3, result.ExitCode);
        var endless = result.ErrorLines.Single(l => l.StartsWith("endless: stopped in ", StringComparison.Ordinal));
        Assert.Contains($"out {File.ReadAllLines(_folder["out/endless.jsonl"]).Length:N0}", endless, StringComparison.Ordinal);
        Assert.StartsWith("failing: failed in ", result.ErrorLines.Single(l => l.StartsWith("failing:", StringComparison.Ordinal)), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_PipelineOption_RunsOnlyTheNamedPipeline()
    {
        _folder.Write("two.yaml", """
            version: 1
            pipelines:
              - name: first
                source: { type: memory, settings: { records: [{ id: 1 }] } }
                sinks: [{ type: json-lines-file, settings: { path: out/first.jsonl } }]
              - name: second
                source: { type: memory, settings: { records: [{ id: 2 }] } }
                sinks: [{ type: json-lines-file, settings: { path: out/second.jsonl } }]
            """);

        var result = await _folder.Cli().RunAsync("run", "two.yaml", "--pipeline", "second");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["{\"id\":2}"], File.ReadAllLines(_folder["out/second.jsonl"]));
        Assert.False(File.Exists(_folder["out/first.jsonl"]));
        Assert.Equal("running second from two.yaml; Ctrl+C or SIGTERM drains, a second one aborts", result.ErrorLines[0]);
    }

    [Fact]
    public async Task Run_UnknownPipelineName_Exits2ListingTheFilesPipelines()
    {
        _folder.Write("one.yaml", Endless);

        var result = await _folder.Cli().RunAsync("run", "one.yaml", "-p", "endles");

        Assert.Equal(2, result.ExitCode);
        Assert.Equal(["one.yaml: no pipeline named 'endles'; the file has: endless."], result.ErrorLines);
    }

    [Theory]
    [InlineData("--drain-timeout", "soon")]
    [InlineData("--progress-interval", "0s")]
    [InlineData("--set", "NOEQUALS")]
    public async Task Run_BadOptionValue_IsAUsageErrorExit1(string option, string value)
    {
        _folder.Write("one.yaml", Endless);

        var result = await _folder.Cli().RunAsync("run", "one.yaml", option, value);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains(value, result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_InteractiveTerminal_DrawsLiveTableWithPipelineAndBlockRows()
    {
        _folder.Write("copy.yaml", """
            version: 1
            pipelines:
              - name: copy
                source: { type: generator, settings: { count: 20000, fields: { id: "{n}" } } }
                transforms:
                  - filter: { field: id, op: "!=", value: "-1" }
                sinks:
                  - { type: json-lines-file, settings: { path: out/copy.jsonl } }
            """);

        var result = await _folder.Cli(interactive: true).RunAsync("run", "copy.yaml");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Out); // the table is drawn on standard error: standard output is for data
        Assert.Contains("\u001b[", result.Error, StringComparison.Ordinal); // drawn with cursor movements, redrawn in place
        foreach (var column in new[] { "pipeline / block", "state", "in/s", "out/s", "errors", "dead-lettered", "in flight", "lag", "done", "ETA", "queue", "busy" })
        {
            Assert.Contains(column, result.Error, StringComparison.Ordinal);
        }

        Assert.Contains("b0 source 'generator'", result.Error, StringComparison.Ordinal);
        Assert.Contains("b1 transform 'filter#1'", result.Error, StringComparison.Ordinal);
        Assert.Contains("b2 sink 'json-lines-file'", result.Error, StringComparison.Ordinal);
        Assert.Contains("20,000", result.Error, StringComparison.Ordinal);
        Assert.Contains("100%", result.Error, StringComparison.Ordinal); // the generator knows its count
        Assert.DoesNotContain("running copy from", result.Error, StringComparison.Ordinal);
        Assert.StartsWith("\u001b[?25hcopy: completed in ", result.ErrorLines[^1], StringComparison.Ordinal); // the cursor shown again, then the summary
    }

    public void Dispose() => _folder.Dispose();

    private static async Task WaitForLinesAsync(InProcessCli cli, string text, int count, Task running)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (cli.Error.Split('\n').Count(l => l.Contains(text, StringComparison.Ordinal)) < count)
        {
            Assert.False(running.IsCompleted, "The command ended early.");
            await Task.Delay(20, timeout.Token);
        }
    }
}
