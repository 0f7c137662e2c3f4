using System.Text.Json;
using System.Text.RegularExpressions;
using DataWeaver.Configuration.Tests.Support;

namespace DataWeaver.Configuration.Tests.Transforms;

/// <summary>The stateful transforms (dedupe, window) of definition files, and the example of docs/stateful.md, run.</summary>
public sealed partial class StatefulTransformTests
{
    [Fact]
    public async Task DocsExample_DedupeThenEventTimeWindow_WritesOneRecordPerCountryAndMinute()
    {
        using var folder = new TestFolder();
        var docs = await File.ReadAllTextAsync(Path.Combine(TestFolder.RepositoryRoot(), "docs", "stateful.md"));
        var yaml = DefinitionBlock().Match(docs).Groups["yaml"].Value;
        Assert.NotEmpty(yaml);
        var path = folder.File("pipeline.yaml");
        await File.WriteAllTextAsync(path, yaml);

        var file = PipelineDefinitionLoader.Load(path, new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });
        await factory.Create(file["orders-per-minute"]).RunAsync();

        // dedupe keeps the first 300 records (id2 repeats after them); they span 5 minutes of event time, 3 countries.
        var results = folder.Lines("out/per-minute.jsonl").Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(15, results.Count);
        Assert.All(results, r => Assert.Equal(20, r.GetProperty("count").GetInt64()));
        Assert.Equal(
            [.. Enumerable.Range(0, 5).SelectMany(m => new[] { "DE", "FR", "US" }.Select(c => $"2026-01-01T00:0{m}:00.000Z {c}"))],
            results.Select(r => $"{r.GetProperty("start").GetString()} {r.GetProperty("key").GetString()}").Order());
        var de0 = results.Single(r => r.GetProperty("key").GetString() == "DE" && r.GetProperty("start").GetString() == "2026-01-01T00:00:00.000Z");
        var amounts = Enumerable.Range(0, 60).Where(n => n % 3 == 0).Select(n => (double)(n % 10)).ToList();
        Assert.Equal(amounts.Sum(), de0.GetProperty("sum").GetDouble());
        Assert.Equal(amounts.Min(), de0.GetProperty("min").GetDouble());
        Assert.Equal(amounts.Max(), de0.GetProperty("max").GetDouble());
        Assert.Equal(amounts.Average(), de0.GetProperty("avg").GetDouble());
        Assert.Equal("2026-01-01T00:01:00.000Z", de0.GetProperty("end").GetString());
        Assert.False(File.Exists(folder.File("out/late.jsonl")) && folder.Lines("out/late.jsonl").Length > 0);
    }

    [Fact]
    public async Task Window_LateRecords_GoToTheDeadLetterTarget()
    {
        using var folder = new TestFolder();
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source:
                  type: memory
                  settings:
                    records: [{ t: 1000, k: a }, { t: 70000, k: a }, { t: 2000, k: b }, { t: 71000, k: b }]
                transforms:
                  - window: { size: 1m, time: event, timestamp: t, key: k }
                errors:
                  onFailure: dead-letter
                  deadLetter: { type: json-lines-file, settings: { path: late.jsonl, append: true } }
                sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
            """, folder.File("p.yaml"), new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });
        await factory.Create(file["p"]).RunAsync();

        var results = folder.Lines("out.jsonl").Select(l => JsonDocument.Parse(l).RootElement).Select(r => $"{r.GetProperty("key").GetString()}@{r.GetProperty("start").GetString()}={r.GetProperty("count").GetInt64()}");
        Assert.Equal(["a@1970-01-01T00:00:00.000Z=1", "a@1970-01-01T00:01:00.000Z=1", "b@1970-01-01T00:01:00.000Z=1"], results.Order());
        var late = Assert.Single(folder.Lines("late.jsonl"));
        Assert.Contains("2000", late, StringComparison.Ordinal);
        Assert.Contains("LateRecordException", late, StringComparison.Ordinal);
    }

    [Fact]
    public void Window_EventTimeWithoutTimestamp_IsAConfigurationError()
    {
        var error = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ k: a }] } }
                transforms:
                  - window: { size: 1m, time: event, key: k }
                sinks: [{ type: console }]
            """, "p.yaml"));
        Assert.Contains("'window' with time: event needs a timestamp field.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Window_SessionAndHoppingWithLateness_WritesUpdatesAndTheNewAggregates()
    {
        using var folder = new TestFolder();
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: sessions
                source:
                  type: memory
                  settings:
                    records: [{ t: 1000, k: a, v: 5 }, { t: 3000, k: a, v: 7 }, { t: 30000, k: a, v: 1 }, { t: 2000, k: a, v: 5 }, { t: 90000, k: a, v: 2 }]
                transforms:
                  - window: { type: session, gap: 5s, time: event, timestamp: t, key: k, value: v, allowedLateness: 30s, distinct: true, collect: 2 }
                sinks: [{ type: json-lines-file, settings: { path: sessions.jsonl } }]
              - name: hopping
                source:
                  type: memory
                  settings:
                    records: [{ t: 1000, k: a, v: 1 }, { t: 25000, k: a, v: 2 }]
                transforms:
                  - window: { type: hopping, size: 20s, hop: 10s, time: event, timestamp: t, key: k, value: v }
                sinks: [{ type: json-lines-file, settings: { path: hopping.jsonl } }]
            """, folder.File("p.yaml"), new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });
        await factory.Create(file["sessions"]).RunAsync();
        await factory.Create(file["hopping"]).RunAsync();

        // Session [1 s, 8 s) takes the 2 s record although 30 s came before it (within the lateness; emitted again if it
        // had been emitted already): the last result per session is complete.
        var sessions = folder.Lines("sessions.jsonl").Select(l => JsonDocument.Parse(l).RootElement).GroupBy(r => r.GetProperty("start").GetString()).Select(g => g.Last());
        Assert.Equal(
            ["00:00:01-00:00:08 count 3 first 5 last 7 distinct 2 [5,7]", "00:00:30-00:00:35 count 1 first 1 last 1 distinct 1 [1]", "00:01:30-00:01:35 count 1 first 2 last 2 distinct 1 [2]"],
            sessions.Select(Describe).Order());

        var hopping = folder.Lines("hopping.jsonl").Select(l => JsonDocument.Parse(l).RootElement).Select(r => $"{r.GetProperty("start").GetString()![14..19]} {r.GetProperty("count").GetInt64()}");
        Assert.Equal(["59:50 1", "00:00 1", "00:10 1", "00:20 1"], hopping);

        static string Describe(JsonElement r) =>
            $"{r.GetProperty("start").GetString()![11..19]}-{r.GetProperty("end").GetString()![11..19]} count {r.GetProperty("count").GetInt64()} first {r.GetProperty("first").GetDouble()} last {r.GetProperty("last").GetDouble()} distinct {r.GetProperty("distinct").GetInt64()} [{string.Join(",", r.GetProperty("values").EnumerateArray().Select(v => v.GetDouble()))}]";
    }

    [Fact]
    public void Window_HoppingWithoutHopOrSessionWithoutGap_AreConfigurationErrors()
    {
        var error = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ k: a }] } }
                transforms:
                  - window: { type: hopping, size: 1m, key: k }
                  - window: { type: session, key: k }
                sinks: [{ type: console }]
            """, "p.yaml"));
        Assert.Contains("'window' with type: hopping needs hop.", error.Message, StringComparison.Ordinal);
        Assert.Contains("'window' with type: session needs gap.", error.Message, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"<!--\s*definition:\s*stateful-orders-per-minute\s*-->\s*```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex DefinitionBlock();
}
