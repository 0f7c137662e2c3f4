using System.Text.Json;
using DataWeaver.Configuration.Tests.Support;

namespace DataWeaver.Configuration.Tests.Transforms;

/// <summary>The <c>early</c> key of <c>window</c> and <c>reduce</c> in definition files, and its example in docs/stateful.md, run.</summary>
public sealed class EarlyResultTransformTests
{
    [Fact]
    public async Task DocsExample_EarlyEvery50_FinalsEqualTheRunWithoutEarlyAndEarlyCountsGrow()
    {
        using var folder = new TestFolder();
        var yaml = await StatefulDocs.DefinitionAsync("stateful-early-results");
        Assert.Contains(", early: { every: 50 }", yaml, StringComparison.Ordinal);
        var withoutEarly = yaml.Replace(", early: { every: 50 }", string.Empty, StringComparison.Ordinal).Replace("per-minute-live.jsonl", "per-minute.jsonl", StringComparison.Ordinal);

        await RunAsync(folder, yaml, "orders-per-minute-live");
        await RunAsync(folder, withoutEarly, "orders-per-minute-live");

        var live = Read(folder, "out/per-minute-live.jsonl");
        var reference = Read(folder, "out/per-minute.jsonl");
        Assert.DoesNotContain(reference, r => r.TryGetProperty("early", out _));

        // 600 records, 1 s apart, 3 countries: 10 minutes x 3 keys = 30 finals of 20 records each, equal to the run without early.
        var finals = live.Where(r => !r.TryGetProperty("early", out _)).Select(r => r.GetRawText()).ToList();
        Assert.Equal(30, finals.Count);
        Assert.Equal(reference.Select(r => r.GetRawText()), finals);

        // Early results: marked, counts never decrease per (key, start), never pass the final and none follows the final.
        var early = live.Where(r => r.TryGetProperty("early", out _)).ToList();
        Assert.NotEmpty(early);
        Assert.All(early, r => Assert.True(r.GetProperty("early").GetBoolean()));
        foreach (var window in live.GroupBy(r => $"{r.GetProperty("key").GetString()}@{r.GetProperty("start").GetString()}"))
        {
            var versions = window.ToList();
            Assert.False(versions[^1].TryGetProperty("early", out _), $"{window.Key}: the last result is the final one");
            Assert.Single(versions, v => !v.TryGetProperty("early", out _));
            var counts = versions.Select(v => v.GetProperty("count").GetInt64()).ToList();
            Assert.Equal(counts.Order(), counts);
            Assert.Equal(20, counts[^1]);
        }

        // Every 50 records (2 batches of 25) the 3 keys of the open window changed: 600 / 50 = 12 rounds of 3.
        Assert.Equal(36, early.Count);
    }

    [Fact]
    public async Task Reduce_EarlyWithFieldName_MarksEarlyResultsWithThatField()
    {
        using var folder = new TestFolder();
        await RunAsync(folder, """
            version: 1
            pipelines:
              - name: p
                source:
                  type: memory
                  settings:
                    records: [{ k: a, t: 1000, n: 1 }, { k: a, t: 2000, n: 2 }, { k: a, t: 3000, n: 3 }, { k: a, t: 61000, n: 4 }]
                transforms:
                  - reduce: { key: k, size: 1m, time: event, timestamp: t, fields: { n: sum }, early: { every: 1, field: partial } }
                batch: { size: 1 }
                sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
            """, "p");

        var results = Read(folder, "out.jsonl").Select(r => $"{r.GetProperty("windowStart").GetString()![14..19]} n={r.GetProperty("n").GetInt64()}{(r.TryGetProperty("partial", out var p) ? " partial=" + p.GetBoolean() : string.Empty)}").ToList();

        // The finals (no marker) of both windows, after early results whose sums grow; no "early" field anywhere.
        Assert.Equal("00:00 n=6", results.Single(r => r.StartsWith("00:00", StringComparison.Ordinal) && !r.Contains("partial", StringComparison.Ordinal)));
        Assert.Equal("01:00 n=4", results.Single(r => r.StartsWith("01:00", StringComparison.Ordinal) && !r.Contains("partial", StringComparison.Ordinal)));
        var earlyFirstWindow = results.Where(r => r.StartsWith("00:00", StringComparison.Ordinal) && r.Contains("partial=True", StringComparison.Ordinal)).ToList();
        Assert.NotEmpty(earlyFirstWindow);
        Assert.Equal(earlyFirstWindow.Order(StringComparer.Ordinal), earlyFirstWindow);
        Assert.DoesNotContain(Read(folder, "out.jsonl"), r => r.TryGetProperty("early", out _));
    }

    [Fact]
    public void Window_EarlyOnSessionOrEmptyOrOutOfRangeOrUnknownKey_AreConfigurationErrorsWithPaths()
    {
        var errors = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ k: a }] } }
                transforms:
                  - window: { type: session, gap: 5s, key: k, early: { every: 10 } }
                  - window: { size: 1m, key: k, early: {} }
                  - reduce: { size: 1m, key: k, early: { interval: 2d } }
                  - window: { size: 1m, key: k, early: { every: 0, each: 5 } }
                sinks: [{ type: console }]
            """, "p.yaml")).Errors;

        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Conflict && e.Path == "pipelines[0].transforms[0].window.early" && e.Message.Contains("tumbling and hopping", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Required && e.Path == "pipelines[0].transforms[1].window.early");
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Range && e.Path == "pipelines[0].transforms[2].reduce.early.interval");
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Range && e.Path == "pipelines[0].transforms[3].window.early.every");
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.UnknownKey && e.Path.StartsWith("pipelines[0].transforms[3].window.early", StringComparison.Ordinal));
        Assert.Equal(5, errors.Count);
    }

    private static async Task RunAsync(TestFolder folder, string yaml, string pipeline)
    {
        var path = folder.File($"pipeline-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(path, yaml);
        var file = PipelineDefinitionLoader.Load(path, new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });
        await factory.Create(file[pipeline]).RunAsync();
    }

    private static List<JsonElement> Read(TestFolder folder, string path) =>
        [.. folder.Lines(path).Select(l => JsonDocument.Parse(l).RootElement)];
}
