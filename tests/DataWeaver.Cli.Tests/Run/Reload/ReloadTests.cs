using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataWeaver.Cli.Tests.Infrastructure;
using Xunit.Abstractions;

namespace DataWeaver.Cli.Tests.Run.Reload;

/// <summary>
/// <c>dataweaver run</c> reloading its definition file (POST /reload, SIGHUP, --watch): a changed pipeline is drained and
/// restarted from its checkpoint with 0 lost and 0 duplicated records, an unchanged sibling is not restarted, an invalid
/// file changes nothing (docs/operations.md, "Reloading").
/// </summary>
public sealed partial class ReloadTests(ITestOutputHelper log) : IDisposable
{
    private const string Ticks = """
          - name: ticks
            source: { type: generator, settings: { fields: { n: "{n}" } } }
            sinks: [ { type: discard } ]
        """;

    private readonly TestFolder _folder = new();

    [Fact]
    public Task Reload_ChangedPipelineMidStream_NoRecordLostOrDuplicatedOutputSwitchesAtOnePositionSiblingNotRestarted() =>
        ReloadMidStreamAsync(60_000, 1_000);

    /// <summary>The issue's figure: a reload during a 1,000,000-record run that changes one of two pipelines.</summary>
    [Fact]
    [Trait("Category", "Soak")]
    public Task Reload_ChangedPipelineMidStreamOfAMillionRecords_NoRecordLostOrDuplicatedSiblingNotRestarted() =>
        ReloadMidStreamAsync(1_000_000, 10_000);

    private async Task ReloadMidStreamAsync(int total, int chunk)
    {
        File.WriteAllText(_folder["in.jsonl"], Lines(0, 10_000));
        _folder.Write("pipeline.yaml", Orders("v1") + Ticks);
        var cli = _folder.Cli();
        var running = cli.StartAsync(["run", "pipeline.yaml", "--http", "127.0.0.1:0", "--progress-interval", "1h"]);
        await cli.WaitForOutputAsync(Address(), running);
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(cli.Error).Groups["url"].Value), Timeout = TimeSpan.FromSeconds(90) };

        // The input keeps growing while the reload happens: the reload lands mid-stream. The second half is written only
        // once the reload has answered, so a loaded machine cannot finish the input before the reload (the switch would
        // then be at no position at all).
        var reloadAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var writer = Task.Run(async () =>
        {
            for (var from = 10_000; from < total; from += chunk)
            {
                if (from >= total / 2)
                {
                    await reloadAnswered.Task;
                }

                File.AppendAllText(_folder["in.jsonl"], Lines(from, from + chunk));
                await Task.Delay(20);
            }
        });
        await WaitForLinesAsync(_folder["out.jsonl"], 5_000, running);
        var ticksBefore = await PipelineAsync(http, "ticks");

        _folder.Write("pipeline.yaml", Orders("v2") + Ticks);
        using var reloaded = await http.PostAsync("/reload", null);
        var answer = JsonDocument.Parse(await reloaded.Content.ReadAsStringAsync()).RootElement;
        reloadAnswered.SetResult();
        var ticksAfter = await PipelineAsync(http, "ticks");

        await writer;
        await WaitForLinesAsync(_folder["out.jsonl"], total, running);
        cli.Signal();
        var result = await running.WaitAsync(TimeSpan.FromSeconds(300));

        Assert.Equal(HttpStatusCode.OK, reloaded.StatusCode);
        Assert.Equal(["orders"], answer.GetProperty("restarted").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(["ticks"], answer.GetProperty("unchanged").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"reloaded pipeline\.yaml \(POST /reload\): restarted from the committed positions orders; unchanged, still running ticks", result.Error);

        var output = File.ReadAllLines(_folder["out.jsonl"]).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var ids = output.Select(r => r.GetProperty("id").GetInt32()).ToList();
        var lost = Enumerable.Range(0, total).Except(ids).Count();
        var duplicated = ids.Count - ids.Distinct().Count();
        Assert.Equal((0, 0), (lost, duplicated));
        Assert.Equal(Enumerable.Range(0, total), ids);                                   // in order
        var versions = output.Select(r => r.GetProperty("version").GetString()).ToList();
        var switchAt = versions.IndexOf("v2");
        log.WriteLine($"{total:N0} records: lost {lost}, duplicated {duplicated}, v1 -> v2 at record {switchAt:N0}; ticks read {ticksBefore.GetProperty("statistics").GetProperty("recordsRead").GetInt64():N0} before the reload, {ticksAfter.GetProperty("statistics").GetProperty("recordsRead").GetInt64():N0} after, same run");
        Assert.InRange(switchAt, 5_000, total - 1);                                      // mid-stream
        Assert.All(versions.Take(switchAt), v => Assert.Equal("v1", v));                 // one switch, at one position
        Assert.All(versions.Skip(switchAt), v => Assert.Equal("v2", v));

        // The unchanged sibling was not restarted: same run (start time), no restart counted, counters went on.
        Assert.Equal("running", ticksAfter.GetProperty("state").GetString());
        Assert.Equal(ticksBefore.GetProperty("startedAt").GetString(), ticksAfter.GetProperty("startedAt").GetString());
        Assert.Equal(0, ticksAfter.GetProperty("restarts").GetInt32());
        Assert.True(ticksAfter.GetProperty("statistics").GetProperty("recordsRead").GetInt64() >= ticksBefore.GetProperty("statistics").GetProperty("recordsRead").GetInt64());
        Assert.DoesNotMatch(@"ticks: running -> draining|ticks\s+stopped", result.Error);
    }

    [Fact]
    public async Task Reload_InvalidFile_ChangesNothingAnswersAProblemNamingTheErrorAndTheExitCodeIsUnaffected()
    {
        _folder.Write("pipeline.yaml", "version: 1\npipelines:\n" + Ticks);
        var cli = _folder.Cli();
        var running = cli.StartAsync(["run", "pipeline.yaml", "--http", "127.0.0.1:0", "--progress-interval", "1h"]);
        await cli.WaitForOutputAsync(Address(), running);
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(cli.Error).Groups["url"].Value) };
        await WaitUntilAsync(async () => (await PipelineAsync(http, "ticks")).GetProperty("statistics").GetProperty("recordsRead").GetInt64() > 0);
        var before = await PipelineAsync(http, "ticks");

        _folder.Write("pipeline.yaml", "version: 1\npipelines:\n" + Ticks.Replace("type: discard", "type: no-such-sink", StringComparison.Ordinal));
        using var refused = await http.PostAsync("/reload", null);
        var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync()).RootElement;
        var after = await PipelineAsync(http, "ticks");
        cli.Signal();
        var result = await running.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Equal("urn:dataweaver:problem:invalid-definition", problem.GetProperty("type").GetString());
        Assert.Matches(@"pipeline\.yaml:5:22: pipelines\[0\]\.sinks\[0\]\.type: .*no-such-sink", problem.GetProperty("detail").GetString());
        Assert.Equal("running", after.GetProperty("state").GetString());
        Assert.Equal(before.GetProperty("startedAt").GetString(), after.GetProperty("startedAt").GetString());
        Assert.Matches(@"reload of pipeline\.yaml \(POST /reload\) refused, nothing changed: pipeline\.yaml:5:22: pipelines\[0\]\.sinks\[0\]\.type: .*no-such-sink", result.Error);
        Assert.Equal(0, result.ExitCode);                                                 // drained as if no reload was tried
    }

    [Fact]
    public async Task Reload_SigHup_StartsAnAddedPipelineAndDrainsARemovedOne()
    {
        _folder.Write("pipeline.yaml", "version: 1\npipelines:\n" + Ticks);
        var cli = _folder.Cli();
        var running = cli.StartAsync(["run", "pipeline.yaml", "--progress-interval", "1h"]);
        await cli.WaitForOutputAsync("running ticks", running);

        _folder.Write("pipeline.yaml", "version: 1\npipelines:\n" + Ticks.Replace("name: ticks", "name: tocks", StringComparison.Ordinal));
        cli.ReloadSignal();
        await cli.WaitForOutputAsync("reloaded pipeline.yaml (SIGHUP): added tocks; removed (drained) ticks", running);
        cli.Signal();
        var result = await running.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"(?m)^\s*tocks\b.*stopped", result.Error);                       // the summary: the added one, drained by the stop
        Assert.DoesNotMatch(@"(?m)^\s*ticks\b.*(stopped|completed)", result.Error);      // the removed one left the session
    }

    [Fact]
    public async Task Reload_Watch_ReloadsWhenTheFileChanges()
    {
        _folder.Write("pipeline.yaml", "version: 1\npipelines:\n" + Ticks);
        var cli = _folder.Cli();
        var running = cli.StartAsync(["run", "pipeline.yaml", "--watch", "--progress-interval", "1h"]);
        await cli.WaitForOutputAsync("running ticks", running);

        _folder.Write("pipeline.yaml", "version: 1\npipelines:\n" + Ticks.Replace("{n}", "#{n}", StringComparison.Ordinal));
        await cli.WaitForOutputAsync("reloaded pipeline.yaml (--watch): restarted from the committed positions ticks", running);
        cli.Signal();
        var result = await running.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(0, result.ExitCode);
    }

    [Fact]
    public async Task Reload_DocsExample_RunsAsDocsOperationsSays()
    {
        File.Copy(Path.Combine(TestFolder.RepositoryRoot(), "docs", "operations", "reload.yaml"), _folder["reload.yaml"]);
        File.WriteAllText(_folder["orders.jsonl"], Lines(1, 1_001));
        var cli = _folder.Cli();
        var running = cli.StartAsync(["run", "reload.yaml", "--http", "127.0.0.1:0", "--watch", "--progress-interval", "1h"]);
        await cli.WaitForOutputAsync(Address(), running);
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(cli.Error).Groups["url"].Value) };
        await WaitForLinesAsync(_folder["out/orders.jsonl"], 1_000, running);

        File.WriteAllText(_folder["reload.yaml"], File.ReadAllText(_folder["reload.yaml"]).Replace("value: v1", "value: v2", StringComparison.Ordinal));
        await cli.WaitForOutputAsync("reloaded reload.yaml (--watch): restarted from the committed positions orders; unchanged, still running heartbeat", running);
        File.AppendAllText(_folder["orders.jsonl"], Lines(1_001, 2_001));
        await WaitForLinesAsync(_folder["out/orders.jsonl"], 2_000, running);
        var answer = await (await http.PostAsync("/reload", null)).Content.ReadAsStringAsync();
        cli.Signal();
        var result = await running.WaitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal("""{"restarted":[],"added":[],"removed":[],"unchanged":["orders","heartbeat"]}""", answer);
        Assert.Equal(0, result.ExitCode);
        var output = File.ReadAllLines(_folder["out/orders.jsonl"]).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(Enumerable.Range(1, 2_000), output.Select(r => r.GetProperty("id").GetInt32()));
        Assert.Equal(Enumerable.Repeat("v1", 1_000).Concat(Enumerable.Repeat("v2", 1_000)), output.Select(r => r.GetProperty("version").GetString()));
    }

    public void Dispose() => _folder.Dispose();

    private static string Orders(string version) => $$"""
        version: 1
        pipelines:
          - name: orders
            source:
              type: json-lines-file
              settings: { path: in.jsonl, checkpointDirectory: cp, follow: true, pollInterval: 10ms }
            transforms:
              - set: { field: version, value: {{version}} }
            commitInterval: 100ms
            sinks:
              - { type: json-lines-file, settings: { path: out.jsonl, append: true } }

        """;

    private static string Lines(int from, int to) => string.Concat(Enumerable.Range(from, to - from).Select(i => $"{{\"id\":{i}}}\n"));

    private static async Task<JsonElement> PipelineAsync(HttpClient http, string name) =>
        JsonDocument.Parse(await http.GetStringAsync($"/api/pipelines/{name}")).RootElement.Clone();

    private static async Task WaitForLinesAsync(string path, int lines, Task running)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(300));
        while (!File.Exists(path) || File.ReadAllBytes(path).Count(b => b == (byte)'\n') < lines)
        {
            Assert.False(running.IsCompleted, "the run ended early: " + (running.IsCompletedSuccessfully ? ((Task<CliResult>)running).Result : running.Exception));
            await Task.Delay(100, timeout.Token);
        }
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!await condition())
        {
            await Task.Delay(20, timeout.Token);
        }
    }

    [GeneratedRegex(@"operations endpoint on (?<url>http://127\.0\.0\.1:\d+/)")]
    private static partial Regex Address();
}
