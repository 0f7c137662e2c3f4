using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Run;

/// <summary><c>dataweaver run --http</c>: the operations endpoint (docs/operations.md) beside a run.</summary>
public sealed partial class HttpEndpointTests : IDisposable
{
    private const string Endless = """
        version: 1
        pipelines:
          - name: endless
            source:
              type: generator
              settings: { fields: { id: "{n}" } }
            sinks:
              - { type: discard }
        """;

    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Run_Http_ServesMetricsAndApiARestartKeepsTheSessionAndAStopThroughTheApiEndsIt()
    {
        File.WriteAllText(Path.Combine(_folder.Path, "pipeline.yaml"), Endless);
        var cli = new InProcessCli { WorkingDirectory = _folder.Path };
        cli.Environment["DATAWEAVER_HTTP_TOKEN"] = "t0ken-never-printed";
        var running = cli.StartAsync(["run", "pipeline.yaml", "--http", "127.0.0.1:0"]);
        await cli.WaitForOutputAsync(Address(), running);
        using var http = new HttpClient { BaseAddress = new Uri(Address().Match(cli.Error).Groups["url"].Value) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "t0ken-never-printed");

        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!(await http.GetStringAsync("/metrics", guard.Token)).Contains("dataweaver_records_out_total{", StringComparison.Ordinal))
        {
            await Task.Delay(50, guard.Token);
        }

        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready", guard.Token)).StatusCode);
        using var restarted = await http.PostAsync("/api/pipelines/endless/restart", null, guard.Token);
        Assert.Equal(HttpStatusCode.OK, restarted.StatusCode);
        await Task.Delay(200, guard.Token);
        Assert.False(running.IsCompleted, "a restart through the API ended the session");
        var state = JsonDocument.Parse(await http.GetStringAsync("/api/pipelines/endless", guard.Token)).RootElement.GetProperty("state").GetString();
        Assert.Equal("running", state);

        using var stopped = await http.PostAsync("/api/pipelines/endless/stop", null, guard.Token);
        var result = await running.WaitAsync(guard.Token);

        Assert.Equal(HttpStatusCode.OK, stopped.StatusCode);
        Assert.Equal(0, result.ExitCode);                           // drained: every record read was written
        Assert.Contains("endless", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("t0ken-never-printed", result.Error, StringComparison.Ordinal);
        Assert.Contains("bearer token required", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_HttpNotAnAddress_ExitsWithInvalidInputAndRunsNothing()
    {
        File.WriteAllText(Path.Combine(_folder.Path, "pipeline.yaml"), Endless);
        var cli = new InProcessCli { WorkingDirectory = _folder.Path };

        var result = await cli.RunAsync("run", "pipeline.yaml", "--http", "127.0.0.1:notaport");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--http 127.0.0.1:notaport", result.Error, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();

    [GeneratedRegex(@"operations endpoint on (?<url>http://127\.0\.0\.1:\d+/)")]
    private static partial Regex Address();
}
