using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataWeaver.Lifecycle;
using DataWeaver.Operations.Tests.Support;
using DataWeaver.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Operations.Tests.Prometheus;

/// <summary>
/// The alert path end to end: a stalled pipeline -> its /metrics -> a real Prometheus evaluating
/// ops/prometheus/dataweaver-alerts.yml -> a real Alertmanager routing with ops/alertmanager/alertmanager.yml -> a
/// webhook this test listens on. Prometheus and Alertmanager (Debian's packages, eng/services/prometheus.sh and
/// alertmanager.sh) are started by the test on free loopback ports, with the rules' and routes' windows shortened to
/// seconds, and killed at its end.
/// </summary>
public sealed partial class AlertPathTests
{
    private static readonly string Ops = Path.Combine(AppContext.BaseDirectory, "ops");

    [SkippableFact]
    public async Task AmtoolCheckConfig_AlertmanagerRoute_IsValid()
    {
        Skip.IfNot(Tool.Exists("amtool"), "amtool is not installed (eng/services/alertmanager.sh installs it)");

        var (exit, output, error) = await Tool.RunAsync("amtool", Path.Combine(Ops, "alertmanager"), "check-config", "alertmanager.yml");

        Assert.True(exit == 0, output + error);
        Assert.Contains("SUCCESS", output, StringComparison.Ordinal);
        Assert.Contains("2 receivers", output, StringComparison.Ordinal);
    }

    [SkippableFact]
    public async Task StalledPipeline_PrometheusToAlertmanager_WebhookGetsFiringThenResolved()
    {
        Skip.IfNot(Tool.Exists("prometheus") && Tool.Exists("prometheus-alertmanager"), "prometheus or prometheus-alertmanager is not installed (eng/services/prometheus.sh, alertmanager.sh)");
        var name = "stalled-" + Guid.NewGuid().ToString("N")[..8];
        var dir = Directory.CreateTempSubdirectory("dw-alert-path-");
        var notifications = new ConcurrentQueue<(string Path, JsonElement Body)>();
        await using var webhook = await StartWebhookAsync(notifications);

        var sink = new GatedSink();
        var source = new ResumableNumberSource();
        var host = new PipelineHost(name, () => Pipeline.From(source, new PipelineOptions { Name = name, BatchSize = 256, MaxInFlightRecords = 4096 }).To(sink).Build());
        await using var server = await OperationsServer.StartAsync("127.0.0.1:0", new OperatedPipelines([host]));
        host.Start();
        try
        {
            var (amPort, promPort) = (LoopbackProcess.FreePort(), LoopbackProcess.FreePort());
            File.WriteAllText(Path.Combine(dir.FullName, "rules.yml"), ShortRules());
            File.WriteAllText(Path.Combine(dir.FullName, "alertmanager.yml"), ShortRoute(webhook.Urls.First()));
            File.WriteAllText(Path.Combine(dir.FullName, "prometheus.yml"), $$"""
                global: { scrape_interval: 500ms, evaluation_interval: 500ms }
                rule_files: [ "{{dir.FullName}}/rules.yml" ]
                alerting:
                  alertmanagers: [ { static_configs: [ { targets: [ "127.0.0.1:{{amPort}}" ] } ] } ]
                scrape_configs:
                  - job_name: dataweaver
                    static_configs: [ { targets: [ "{{server.Address.Authority}}" ] } ]
                """);
            using var alertmanager = LoopbackProcess.Start(
                "prometheus-alertmanager",
                "--config.file=" + Path.Combine(dir.FullName, "alertmanager.yml"),
                "--storage.path=" + Path.Combine(dir.FullName, "am-data"),
                $"--web.listen-address=127.0.0.1:{amPort}",
                "--cluster.listen-address=");
            using var prometheus = LoopbackProcess.Start(
                "prometheus",
                "--config.file=" + Path.Combine(dir.FullName, "prometheus.yml"),
                "--storage.tsdb.path=" + Path.Combine(dir.FullName, "prom-data"),
                $"--web.listen-address=127.0.0.1:{promPort}",
                "--rules.alert.resend-delay=1s");
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            await Wait.UntilAsync(async () => await AnswersAsync(http, $"http://127.0.0.1:{amPort}/-/ready") || Fail(alertmanager), "Alertmanager is ready");
            await Wait.UntilAsync(async () => await AnswersAsync(http, $"http://127.0.0.1:{promPort}/-/ready") || Fail(prometheus), "Prometheus is ready");

            // Flowing first: records are written and scraped; then the sink sticks with records in flight.
            await Wait.UntilAsync(() => sink.Written > 10_000, "records flow");
            sink.Close();
            await Wait.UntilAsync(() => host.Statistics.RecordsInFlight > 0 && host.State == PipelineState.Running, "the pipeline holds records and writes none");

            var firing = await NextAsync(notifications, "firing", name, alertmanager, prometheus);
            Assert.Equal("/dataweaver/critical", firing.Path);   // the route for critical alerts
            var alert = firing.Body.GetProperty("alerts").EnumerateArray().Single(a => Label(a, "alertname") == "DataWeaverPipelineStalled");
            Assert.Equal("critical", Label(alert, "severity"));
            Assert.Equal("dataweaver", Label(alert, "job"));
            Assert.Equal($"Pipeline {name} is stalled", alert.GetProperty("annotations").GetProperty("summary").GetString());
            var writtenWhenFired = sink.Written;

            // Unstuck: writing again resolves it.
            sink.Open();
            var resolved = await NextAsync(notifications, "resolved", name, alertmanager, prometheus);
            Assert.Equal("/dataweaver/critical", resolved.Path);
            Assert.True(sink.Written > writtenWhenFired);
            Assert.DoesNotContain(notifications, n => n.Body.GetProperty("alerts").EnumerateArray().Any(a => Label(a, "alertname") != "DataWeaverPipelineStalled"));
        }
        finally
        {
            sink.Open();
            await host.StopAsync();
            try
            {
                dir.Delete(recursive: true);
            }
            catch (IOException)
            {
                // a process still closing its files; the temp folder is left
            }
        }
    }

    /// <summary>The shipped rules with the stalled rule's 2-minute windows cut to seconds (the expression itself unchanged).</summary>
    private static string ShortRules()
    {
        var rules = File.ReadAllText(Path.Combine(Ops, "prometheus", "dataweaver-alerts.yml"));
        var stalled = StalledRule().Match(rules);
        Assert.True(stalled.Success, "the stalled rule is in the file");
        var shortened = stalled.Value.Replace("[2m]", "[4s]", StringComparison.Ordinal).Replace("for: 2m", "for: 2s", StringComparison.Ordinal);
        Assert.NotEqual(stalled.Value, shortened);
        Assert.Contains("for: 2s", shortened, StringComparison.Ordinal);
        return rules.Replace(stalled.Value, shortened, StringComparison.Ordinal);
    }

    /// <summary>The shipped route, sending to this test's webhook, with its waits cut to a second.</summary>
    private static string ShortRoute(string webhook)
    {
        var route = File.ReadAllText(Path.Combine(Ops, "alertmanager", "alertmanager.yml"));
        Assert.Contains("http://alerts.example.internal", route, StringComparison.Ordinal);
        route = route.Replace("http://alerts.example.internal", webhook.TrimEnd('/'), StringComparison.Ordinal);
        return Waits().Replace(route, m => m.Groups["key"].Value + ": 1s");
    }

    private static async Task<(string Path, JsonElement Body)> NextAsync(ConcurrentQueue<(string Path, JsonElement Body)> notifications, string status, string pipeline, LoopbackProcess alertmanager, LoopbackProcess prometheus)
    {
        (string Path, JsonElement Body) found = default;
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        while (!notifications.Any(n => Matches(n.Body)))
        {
            if (guard.IsCancellationRequested)
            {
                Assert.Fail($"No '{status}' notification for {pipeline} within 120 s. Received: {string.Join("\n", notifications.Select(n => n.Body.GetRawText()))}\nprometheus: {prometheus.Log}\nalertmanager: {alertmanager.Log}");
            }

            await Task.Delay(100);
        }

        found = notifications.First(n => Matches(n.Body));
        return found;

        bool Matches(JsonElement body) => body.GetProperty("alerts").EnumerateArray().Any(a =>
            a.GetProperty("status").GetString() == status && Label(a, "dataweaver_pipeline") == pipeline);
    }

    private static string? Label(JsonElement alert, string name) =>
        alert.GetProperty("labels").TryGetProperty(name, out var value) ? value.GetString() : null;

    private static async Task<bool> AnswersAsync(HttpClient http, string url)
    {
        try
        {
            using var response = await http.GetAsync(url);
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }

    private static bool Fail(LoopbackProcess process)
    {
        Assert.False(process.HasExited, "the process ended: " + process.Log);
        return false;
    }

    private static async Task<WebApplication> StartWebhookAsync(ConcurrentQueue<(string Path, JsonElement Body)> notifications)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/{**path}", async (HttpContext context) =>
        {
            var body = await JsonDocument.ParseAsync(context.Request.Body);
            notifications.Enqueue((context.Request.Path.Value!, body.RootElement.Clone()));
            return Results.Ok();
        });
        await app.StartAsync();
        return app;
    }

    [GeneratedRegex(@"- alert: DataWeaverPipelineStalled\n.*?(?=\n\s*- alert:)", RegexOptions.Singleline)]
    private static partial Regex StalledRule();

    [GeneratedRegex(@"(?<key>group_wait|group_interval): \w+")]
    private static partial Regex Waits();
}
