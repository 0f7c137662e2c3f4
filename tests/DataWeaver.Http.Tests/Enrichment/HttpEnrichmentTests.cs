using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using DataWeaver.Configuration;
using DataWeaver.Http.Configuration;
using Xunit.Abstractions;

namespace DataWeaver.Http.Tests.Enrichment;

/// <summary><c>enrich: { http: ... }</c> in definition files against a real Kestrel service, and the example of docs/stateful.md, run.</summary>
public sealed partial class HttpEnrichmentTests(ITestOutputHelper output)
{
    private const string Token = "items-canary-token-4711";

    [Fact]
    public async Task DocsExample_Concurrency64Against5msService_OrderKeptExactContents500DeadLetteredTimeoutRetried()
    {
        await using var items = await ItemsServer.StartAsync(Token);
        var folder = Directory.CreateTempSubdirectory("dw-http-enrich-").FullName;
        try
        {
            var yaml = DefinitionBlock().Match(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "stateful.md"))).Groups["yaml"].Value;
            Assert.NotEmpty(yaml);
            var environment = new Dictionary<string, string> { ["ITEMS_URL"] = items.Url.ToString().TrimEnd('/'), ["ITEMS_TOKEN"] = Token };
            var registry = ConnectorRegistry.CreateDefault().AddHttp();
            var file = PipelineDefinitionLoader.Parse(yaml, Path.Combine(folder, "p.yaml"), new PipelineLoadOptions { Registry = registry, BaseDirectory = folder, Environment = name => environment.GetValueOrDefault(name) });
            await using var factory = new PipelineFactory(registry, new PipelineFactoryOptions { BaseDirectory = folder });

            var clock = Stopwatch.StartNew();
            await factory.Create(file["enrich-order-lines"]).RunAsync().WaitAsync(TimeSpan.FromMinutes(3));
            clock.Stop();

            // Every line but the 5 of item 13 (always 500), in input order, exactly as expected; item 404 without "item".
            var lines = File.ReadAllLines(Path.Combine(folder, "out", "enriched-lines.jsonl"));
            var expected = Enumerable.Range(0, 5000).Where(n => n % 1000 != 13).Select(n => n % 1000 == 404
                ? $$"""{"line":{{n}},"id":404}"""
                : $$$"""{"line":{{{n}}},"id":{{{n % 1000}}},"item":{"id":{{{n % 1000}}},"name":"item-{{{n % 1000}}}"}}""");
            Assert.Equal(expected, lines);

            // The 500s: retried (3 attempts each), then dead-lettered with the record as it came.
            var dead = File.ReadAllLines(Path.Combine(folder, "out", "failed-lines.jsonl"));
            Assert.Equal(5, dead.Length);
            Assert.Equal(Enumerable.Range(0, 5).Select(k => $$"""{"line":{{(k * 1000) + 13}},"id":13}"""), dead.Select(OriginalRecord));
            Assert.All(dead, d => Assert.Contains("answered 500", d, StringComparison.Ordinal));
            Assert.Equal(15, items.RequestsFor(13));

            // The first call for item 21 timed out and was retried: its 5 lines are enriched above, after 6 requests or more
            // (at most 3 attempts per line; a machine under heavy load may time out another call).
            Assert.InRange(items.RequestsFor(21), 6, 15);
            Assert.Equal(0, items.Unauthorized);
            Assert.DoesNotContain(Token, string.Concat(Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);

            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
            output.WriteLine($"5000 calls, concurrency 64, 5 ms service: {clock.Elapsed.TotalSeconds:0.00} s ({5000 / clock.Elapsed.TotalSeconds:0} records/s with one 2 s timeout and 10 retries), max in flight {items.MaxInFlight}, load {load}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Enrich_20000RecordsAgainst5msServiceAtConcurrency64_EveryRecordEnrichedOnceAndRateReported(bool ordered)
    {
        const int Count = 20_000;
        await using var items = await ItemsServer.StartAsync(Token);
        var folder = Directory.CreateTempSubdirectory("dw-http-enrich-").FullName;
        try
        {
            var yaml = $$"""
                version: 1
                pipelines:
                  - name: p
                    source: { type: generator, settings: { count: {{Count}}, fields: { line: { number: {} }, id: { number: { mod: 1000, add: 1000 } } } } }
                    transforms:
                      - enrich: { http: { url: "{{items.Url.ToString().TrimEnd('/')}}/items/{id}", into: item, bearerToken: "${secret:ITEMS_TOKEN}" }, concurrency: 64, ordered: {{(ordered ? "true" : "false")}} }
                    sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
                """;
            var registry = ConnectorRegistry.CreateDefault().AddHttp();
            var file = PipelineDefinitionLoader.Parse(yaml, Path.Combine(folder, "p.yaml"), new PipelineLoadOptions { Registry = registry, BaseDirectory = folder, Environment = name => name == "ITEMS_TOKEN" ? Token : null });
            await using var factory = new PipelineFactory(registry, new PipelineFactoryOptions { BaseDirectory = folder });
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await factory.Create(file["p"]).RunAsync().WaitAsync(TimeSpan.FromMinutes(3));
            clock.Stop();
            cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu;

            var lines = File.ReadAllLines(Path.Combine(folder, "out.jsonl"));
            var expected = Enumerable.Range(0, Count).Select(n => $$$"""{"line":{{{n}}},"id":{{{1000 + (n % 1000)}}},"item":{"id":{{{1000 + (n % 1000)}}},"name":"item-{{{1000 + (n % 1000)}}}"}}""");
            Assert.Equal(ordered ? expected : expected.Order(StringComparer.Ordinal), ordered ? lines : lines.Order(StringComparer.Ordinal));
            Assert.Equal(0, items.Unauthorized);
            Assert.InRange(items.MaxInFlight, 2, 64);

            var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
            output.WriteLine($"ordered={ordered}: {Count} calls, concurrency 64, 5 ms service: {clock.Elapsed.TotalSeconds:0.00} s, {Count / clock.Elapsed.TotalSeconds:0} records/s (bound 64 / 5 ms = 12800/s: {Count / clock.Elapsed.TotalSeconds / 12_800:P0}), CPU {cpu.TotalMilliseconds * 1e6 / Count:0} ns/record (client and server in this process), max in flight {items.MaxInFlight}, load {load}");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task Enrich_PostWith404AsDataError_EchoWrittenInto404DeadLetteredWithoutRetry()
    {
        await using var items = await ItemsServer.StartAsync(Token);
        var folder = Directory.CreateTempSubdirectory("dw-http-enrich-").FullName;
        try
        {
            var yaml = $$"""
                version: 1
                pipelines:
                  - name: p
                    source: { type: memory, settings: { records: [{ id: 1 }, { id: 404, note: missing }, { id: 2 }] } }
                    transforms:
                      - enrich: { http: { url: "{{items.Url.ToString().TrimEnd('/')}}/items/{id}", method: POST, into: reply, apiKey: "${secret:ITEMS_TOKEN}", apiKeyHeader: X-Unused, headers: { Authorization: "Bearer ${secret:ITEMS_TOKEN}" } } }
                    errors:
                      retry: { attempts: 3, backoff: 10ms }
                      onFailure: dead-letter
                      deadLetter: { type: json-lines-file, settings: { path: failed.jsonl } }
                    sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
                """;
            var registry = ConnectorRegistry.CreateDefault().AddHttp();
            var file = PipelineDefinitionLoader.Parse(yaml, Path.Combine(folder, "p.yaml"), new PipelineLoadOptions { Registry = registry, BaseDirectory = folder, Environment = name => name == "ITEMS_TOKEN" ? Token : null });
            await using var factory = new PipelineFactory(registry, new PipelineFactoryOptions { BaseDirectory = folder });

            await factory.Create(file["p"]).RunAsync().WaitAsync(TimeSpan.FromMinutes(2));

            Assert.Equal(["""{"id":1,"reply":{"echo":{"id":1}}}""", """{"id":2,"reply":{"echo":{"id":2}}}"""], File.ReadAllLines(Path.Combine(folder, "out.jsonl")));
            var dead = Assert.Single(File.ReadAllLines(Path.Combine(folder, "failed.jsonl")));
            Assert.Equal("""{"id":404,"note":"missing"}""", OriginalRecord(dead));
            Assert.Contains("answered 404", dead, StringComparison.Ordinal);
            Assert.Equal(1, items.RequestsFor(404)); // a data error: not retried
            Assert.DoesNotContain(Token, string.Concat(Directory.GetFiles(folder, "*", SearchOption.AllDirectories).Select(File.ReadAllText)), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void Enrich_HttpWithoutUrlOrWithTableSettingsOrBadConcurrency_AreConfigurationErrorsWithPaths()
    {
        var errors = LoadErrors(
            """
            - enrich: { http: { timeout: 1s } }
            - enrich: { http: { url: "http://svc/items/{id" }, path: table.jsonl }
            - enrich: { http: { url: "http://svc/{id}" }, concurrency: 5000 }
            - enrich: { http: { url: "ftp://svc/{id}" } }
            - enrich: { http: { url: "http://svc/{id}", colour: red } }
            """,
            ConnectorRegistry.CreateDefault().AddHttp());

        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.MissingSetting && e.Path.StartsWith("pipelines[0].transforms[0].enrich.http", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Path == "pipelines[0].transforms[1].enrich.http.url" && e.Message.Contains("placeholder", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Conflict && e.Path == "pipelines[0].transforms[1].enrich.path");
        Assert.Contains(errors, e => e.Path == "pipelines[0].transforms[3].enrich.http.url" && e.Message.Contains("http://", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.UnknownSetting && e.Path == "pipelines[0].transforms[4].enrich.http.colour");
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Range && e.Path == "pipelines[0].transforms[2].enrich.concurrency");
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void Enrich_HttpWithoutTheHttpPackage_IsAnUnknownTransformError()
    {
        var errors = LoadErrors("""- enrich: { http: { url: "http://svc/items/{id}" } }""", ConnectorRegistry.CreateDefault());

        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.UnknownTransform && e.Path == "pipelines[0].transforms[0].enrich.http" && e.Message.Contains("AddHttp()", StringComparison.Ordinal));
    }

    /// <summary>The errors of loading a pipeline with these transforms (YAML list items).</summary>
    private static IReadOnlyList<ConfigurationError> LoadErrors(string transforms, ConnectorRegistry registry) =>
        Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse(
            $$"""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ id: 1 }] } }
                transforms:
            {{string.Join('\n', transforms.Split('\n').Select(l => "      " + l))}}
                sinks: [{ type: console }]
            """,
            "p.yaml",
            new PipelineLoadOptions { Registry = registry })).Errors;

    /// <summary>The record a dead letter carries, as JSON text.</summary>
    private static string OriginalRecord(string deadLetter)
    {
        using var document = JsonDocument.Parse(deadLetter);
        foreach (var property in document.RootElement.EnumerateObject())
        {
            if (property.Name is "record" or "payload" or "value")
            {
                return property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
            }
        }

        return deadLetter;
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "DataWeaver.Engine.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root was not found.");
    }

    [GeneratedRegex(@"<!--\s*definition:\s*stateful-http-enrich\s*-->\s*```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex DefinitionBlock();
}
