using System.Text.RegularExpressions;
using DataWeaver.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry.Metrics;

namespace DataWeaver.Docs.Tests.HowDoI;

/// <summary>"Run a pipeline inside an ASP.NET Core service" and "See the metrics in Prometheus", run as printed.</summary>
public sealed partial class AspNetCoreTests
{
    /// <summary>A guard against a hang while waiting for the pipeline, not a measurement.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task Service_PipelinesFile_RunsItAndServesHealthAndPrometheusMetrics()
    {
        using var folder = new WorkingFolder();
        folder.Write("pipelines.yaml", """
            version: 1
            pipelines:
              - name: orders
                source: { type: generator, settings: { count: 500, fields: { id: { number: {} } } } }
                sinks: [ { type: json-lines-file, settings: { path: out/orders.jsonl } } ]
            """);
        string[] args = ["--urls", "http://127.0.0.1:0"];

        // snippet: howdoi-aspnetcore
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddDataWeaver(dataWeaver => dataWeaver
            .AddPipelinesFromFile("pipelines.yaml")            // or .AddPipeline("orders", services => Pipeline.From(...)...Build())
            .Configure(options => options.DrainTimeout = TimeSpan.FromSeconds(20)));
        builder.Services.AddHealthChecks().AddDataWeaverHealthChecks();
        builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
            .AddDataWeaverInstrumentation()                    // the DataWeaver meter
            .AddPrometheusExporter());                         // package OpenTelemetry.Exporter.Prometheus.AspNetCore

        var app = builder.Build();
        app.MapHealthChecks("/healthz");                       // Healthy while the pipelines run or completed
        app.MapPrometheusScrapingEndpoint();                   // GET /metrics
        // end snippet

        await using (app)
        {
            await app.StartAsync();
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()) };
            using var guard = new CancellationTokenSource(HangGuard);

            // The generator's 500 records are counted in, and the scrape shows them with the pipeline's tag.
            var metrics = string.Empty;
            while (!RecordsIn500().IsMatch(metrics))
            {
                await Task.Delay(100, guard.Token);
                metrics = await http.GetStringAsync("/metrics", guard.Token);
            }

            Assert.Equal("Healthy", await http.GetStringAsync("/healthz", guard.Token));
            await app.StopAsync(guard.Token);
        }

        Assert.Equal(500, (await File.ReadAllLinesAsync(Path.Combine(folder.Root, "out", "orders.jsonl"))).Length);
    }

    [GeneratedRegex(@"^dataweaver_records_in_total\{[^}]*dataweaver_pipeline=""orders""[^}]*\} 500(\s|$)", RegexOptions.Multiline)]
    private static partial Regex RecordsIn500();
}
