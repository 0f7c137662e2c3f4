using System.Text.Json;
using DataWeaver.Configuration.Tests.Support;

namespace DataWeaver.Configuration.Tests.Transforms;

/// <summary>A <c>window</c> transform with <c>spillDirectory</c>: at its bound its aggregates go to disk and come back at the window's end.</summary>
public sealed class WindowSpillTransformTests
{
    [Fact]
    public async Task Window_SpillDirectoryPastMaxKeys_EmitsEveryKeyOnceAndLeavesNoFile()
    {
        using var folder = new TestFolder();
        var spill = folder.File("spill");
        var file = PipelineDefinitionLoader.Parse($$"""
            version: 1
            pipelines:
              - name: p
                source:
                  type: generator
                  settings:
                    count: 5000
                    fields:
                      id: { number: {} }
                      amount: { number: { mod: 7 } }
                transforms:
                  - window: { size: 1h, key: id, value: amount, maxKeys: 100, spillDirectory: "{{spill}}", spillMaxBytes: 64MiB }
                sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
            """, folder.File("p.yaml"), new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });
        await factory.Create(file["p"]).RunAsync();

        // 5,000 keys against a bound of 100 aggregates: without the spill the run fails at the 101st key.
        var results = folder.Lines("out.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(5_000, results.Count);
        Assert.Equal(Enumerable.Range(0, 5_000).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).Order(), results.Select(r => r.GetProperty("key").GetString()!).Order());
        Assert.All(results, r => Assert.Equal(1, r.GetProperty("count").GetInt64()));
        Assert.Equal(Enumerable.Range(0, 5_000).Sum(i => i % 7), results.Sum(r => r.GetProperty("sum").GetDouble()));
        Assert.Empty(Directory.EnumerateFiles(spill, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void Window_SpillMaxBytesBelow64KiB_IsAConfigurationError()
    {
        var error = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ k: a }] } }
                transforms:
                  - window: { size: 1m, key: k, spillDirectory: spill, spillMaxBytes: 1KiB }
                sinks: [{ type: console }]
            """, "p.yaml"));
        Assert.Contains("at least 64KiB", error.Message, StringComparison.Ordinal);
    }
}
