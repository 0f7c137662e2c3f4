using System.Text;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Diagnostics;
using DataWeaver.Hosting.Tests.Support;
using DataWeaver.Pipelines;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace DataWeaver.Hosting.Tests.Docs;

/// <summary>The examples of docs/hosting.md and the OpenTelemetry ones of docs/metrics.md, run as they are printed.</summary>
public sealed class HostingDocsExamples : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("dataweaver-hosting-docs-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Quickstart_Example_RunsTheFilePipelineAndReportsHealthy()
    {
        string[] args = ["--DataWeaver:DrainTimeout=00:00:20"];
        var ordersFile = Path.Combine(_folder, "orders.jsonl");
        var outputFile = Path.Combine(_folder, "copied.jsonl");
        await File.WriteAllLinesAsync(ordersFile, Enumerable.Range(0, 1_000).Select(i => $"{{\"id\":{i}}}"));

        // snippet: hosting-quickstart
        var builder = Host.CreateApplicationBuilder(args);
        builder.Services.AddDataWeaver(dataWeaver => dataWeaver
            .AddPipeline("orders", services => Pipeline.From(
                    new JsonLinesSource(ordersFile),
                    new PipelineOptions { Name = "orders", CommitInterval = TimeSpan.Zero })
                .To(JsonLinesSink.Raw(outputFile))
                .Build())
            .Configure(builder.Configuration.GetSection(DataWeaverHostOptions.SectionName)));
        builder.Services.AddHealthChecks().AddDataWeaverHealthChecks();

        using var host = builder.Build();
        // end snippet

        await host.StartAsync();
        await host.Services.GetRequiredService<HostedPipelines>().WhenAllEnded();
        var output = new StringWriter();

        // snippet: hosting-status
        var pipelines = host.Services.GetRequiredService<HostedPipelines>();
        foreach (var status in pipelines.GetStatus())
        {
            var statistics = status.Run?.Statistics;
            output.WriteLine($"{status.Name}: {status.State}, {statistics?.RecordsWritten ?? 0} records written, {statistics?.Errors ?? 0} errors");
        }

        var health = await host.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync();
        output.WriteLine($"health: {health.Status}");
        // end snippet

        await host.StopAsync();
        Assert.Equal($"orders: Completed, 1000 records written, 0 errors{Environment.NewLine}health: Healthy{Environment.NewLine}", output.ToString());
        Assert.Equal(await File.ReadAllLinesAsync(ordersFile), await File.ReadAllLinesAsync(outputFile));
        Assert.Equal(TimeSpan.FromSeconds(20), host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<DataWeaverHostOptions>>().Value.DrainTimeout);
    }

    [Fact]
    public async Task DefinitionFiles_Example_HostsThePipelinesOfTheFileAndTheSection()
    {
        var pipelinesFile = Path.Combine(_folder, "pipelines.yaml");
        await File.WriteAllTextAsync(pipelinesFile, $$"""
            version: 1
            pipelines:
              - name: from-file
                source: { type: generator, settings: { count: 10, fields: { id: { number: {} } } } }
                sinks: [{ type: json-lines-file, settings: { path: "{{Path.Combine(_folder, "file.jsonl")}}" } }]
            """);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DataWeaver:Definitions:version"] = "1",
            ["DataWeaver:Definitions:pipelines:0:name"] = "from-settings",
            ["DataWeaver:Definitions:pipelines:0:source:type"] = "memory",
            ["DataWeaver:Definitions:pipelines:0:source:settings:records:0:sku"] = "A-1",
            ["DataWeaver:Definitions:pipelines:0:sinks:0:type"] = "json-lines-file",
            ["DataWeaver:Definitions:pipelines:0:sinks:0:settings:path"] = Path.Combine(_folder, "settings.jsonl"),
        });

        // snippet: hosting-files
        builder.Services.AddDataWeaver(dataWeaver => dataWeaver
            .AddPipelinesFromFile(pipelinesFile)                                                   // YAML or JSON
            .AddPipelinesFromConfiguration(builder.Configuration.GetSection("DataWeaver:Definitions"))); // appsettings.json
        // end snippet

        using var host = builder.Build();
        await host.RunToEndAsync();

        Assert.Equal(["from-file", "from-settings"], host.Pipelines().Names);
        Assert.Equal(10, (await File.ReadAllLinesAsync(Path.Combine(_folder, "file.jsonl"))).Length);
        Assert.Equal(["{\"sku\":\"A-1\"}"], await File.ReadAllLinesAsync(Path.Combine(_folder, "settings.jsonl")));
    }

    [Fact]
    public async Task ExportMetrics_Example_PostsToTheCollector()
    {
        using var collector = new OtlpReceiver();
        var collectorEndpoint = collector.Endpoint;
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        var name = "docs-export-" + Guid.NewGuid().ToString("N");
        builder.Services.AddDataWeaver(b => b.AddPipeline(name, _ => Pipeline.From(new CollectionSource<int>([1, 2, 3]), new PipelineOptions { Name = name }).To(new CollectionSink<int>()).Build()));

        // snippet: hosting-otlp
        builder.Services.AddDataWeaver(dataWeaver => dataWeaver
            .ExportMetrics(metrics => metrics.AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = collectorEndpoint;   // e.g. http://otel-collector:4318/v1/metrics
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            })));
        // end snippet

        using var host = builder.Build();
        await host.RunToEndAsync();

        Assert.Contains(collector.Posts, p => Encoding.UTF8.GetString(p.Body).Contains(name, StringComparison.Ordinal));
    }

    [Fact]
    public async Task MeterProvider_Example_ExportsThePipelinesMetrics()
    {
        using var collector = new OtlpReceiver();
        var collectorEndpoint = collector.Endpoint;
        var name = "docs-provider-" + Guid.NewGuid().ToString("N");
        var pipeline = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 100).ToArray()), new PipelineOptions { Name = name }).To(new CollectionSink<int>()).Build();

        // snippet: metrics-opentelemetry
        using var meterProvider = Sdk.CreateMeterProviderBuilder()
            .AddDataWeaverInstrumentation()
            .AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = collectorEndpoint;   // e.g. http://otel-collector:4318/v1/metrics
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build();
        // end snippet

        await pipeline.RunAsync();
        meterProvider.ForceFlush();

        var body = Encoding.UTF8.GetString(Assert.Single(collector.Posts, p => Encoding.UTF8.GetString(p.Body).Contains(name, StringComparison.Ordinal)).Body);
        Assert.Contains(DataWeaverInstruments.RecordsOut, body, StringComparison.Ordinal);
    }
}
