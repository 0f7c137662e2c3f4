using System.Text.Json;
using System.Text.RegularExpressions;
using DataWeaver.Configuration.Tests.Support;

namespace DataWeaver.Configuration.Tests.Transforms;

/// <summary>The <c>enrich</c> (lookup join) and <c>throttle</c> transforms of definition files, and the example of docs/stateful.md, run.</summary>
public sealed partial class JoinTransformTests
{
    [Fact]
    public async Task DocsExample_EnrichThenThrottle_EnrichesAndDeadLettersTheUnknownCustomer()
    {
        using var folder = new TestFolder();
        var docs = await File.ReadAllTextAsync(Path.Combine(TestFolder.RepositoryRoot(), "docs", "stateful.md"));
        var yaml = DefinitionBlock().Match(docs).Groups["yaml"].Value;
        Assert.NotEmpty(yaml);
        await File.WriteAllTextAsync(folder.File("pipeline.yaml"), yaml);
        await File.WriteAllTextAsync(folder.File("customers.jsonl"), """
            {"id":"c1","name":"Ann","country":"DE"}
            {"id":"c2","name":"Bob","country":"FR"}

            """);

        var file = PipelineDefinitionLoader.Load(folder.File("pipeline.yaml"), new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });
        await factory.Create(file["enrich-orders"]).RunAsync();

        var enriched = folder.Lines("out/enriched.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(
            ["1 Ann DE", "3 Bob FR"],
            enriched.Select(r => $"{r.GetProperty("id").GetInt64()} {r.GetProperty("customer_row").GetProperty("name").GetString()} {r.GetProperty("customer_row").GetProperty("country").GetString()}"));
        var dead = Assert.Single(folder.Lines("out/unknown-customers.jsonl"));
        Assert.Contains("c9", dead, StringComparison.Ordinal);
        Assert.Contains("LookupKeyNotFoundException", dead, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enrich_PassAndDrop_MissingKeyGetsNullOrIsDropped()
    {
        using var folder = new TestFolder();
        await File.WriteAllTextAsync(folder.File("t.jsonl"), "{\"k\":\"a\",\"v\":1}\n");
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: pass
                source: { type: memory, settings: { records: [{ k: a }, { k: b }, {}] } }
                transforms: [{ enrich: { path: t.jsonl, key: k } }]
                sinks: [{ type: json-lines-file, settings: { path: pass.jsonl } }]
              - name: drop
                source: { type: memory, settings: { records: [{ k: a }, { k: b }] } }
                transforms: [{ enrich: { path: t.jsonl, key: k, onMissing: drop } }, { throttle: { rate: 1, burst: 5, onLimit: drop } }]
                sinks: [{ type: json-lines-file, settings: { path: drop.jsonl } }]
            """, folder.File("p.yaml"), new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });
        await factory.Create(file["pass"]).RunAsync();
        await factory.Create(file["drop"]).RunAsync();

        Assert.Equal(["{\"k\":\"a\",\"lookup\":{\"k\":\"a\",\"v\":1}}", "{\"k\":\"b\",\"lookup\":null}", "{\"lookup\":null}"], folder.Lines("pass.jsonl"));
        Assert.Equal(["{\"k\":\"a\",\"lookup\":{\"k\":\"a\",\"v\":1}}"], folder.Lines("drop.jsonl"));
    }

    [Fact]
    public void EnrichAndThrottle_BadSettings_AreConfigurationErrors()
    {
        var error = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ k: a }] } }
                transforms:
                  - enrich: { key: k }
                  - enrich: { path: t.jsonl, key: k, format: nope, onMissing: maybe }
                  - throttle: { rate: 0, onLimit: later }
                sinks: [{ type: console }]
            """, "p.yaml"));
        Assert.True(error.Errors.Count == 4, error.Message);
        Assert.Contains("enrich.path", error.Message, StringComparison.Ordinal);
        Assert.Contains("enrich.onMissing: 'maybe' is not one of: pass, drop, dead-letter.", error.Message, StringComparison.Ordinal);
        Assert.Contains("throttle.rate: Must be at least 1; found 0.", error.Message, StringComparison.Ordinal);
        Assert.Contains("throttle.onLimit: 'later' is not one of: wait, drop.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Enrich_UnknownFileFormat_IsAConfigurationError()
    {
        var error = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ k: a }] } }
                transforms: [{ enrich: { path: t.jsonl, key: k, format: nope } }]
                sinks: [{ type: console }]
            """, "p.yaml"));
        Assert.Contains("is not a file format ('nope')", error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"<!--\s*definition:\s*stateful-lookup-throttle\s*-->\s*```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex DefinitionBlock();
}
