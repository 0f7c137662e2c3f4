using System.Text.Json;
using System.Text.RegularExpressions;
using DataWeaver.Configuration.Tests.Support;

namespace DataWeaver.Configuration.Tests.Transforms;

/// <summary>The <c>reduce</c> and <c>join</c> transforms and the window's <c>approximateDistinct</c> in definition files, and the examples of docs/stateful.md, run.</summary>
public sealed partial class ReduceAndJoinTransformTests
{
    [Fact]
    public async Task DocsExample_StreamJoin_PairsOrdersWithPaymentsAndEmitsTheUnpaid()
    {
        using var folder = new TestFolder();
        await RunDocsExampleAsync(folder, StreamJoinBlock(), "orders-with-payments");
        var results = Read(folder, "out/orders-with-payments.jsonl");

        Assert.Equal(
            ["o1 paid 30", "o2 unpaid", "o3 unpaid"],
            results.Select(r => r.GetProperty("payment").ValueKind == JsonValueKind.Null
                ? $"{r.GetProperty("order").GetProperty("orderId").GetString()} unpaid"
                : $"{r.GetProperty("order").GetProperty("orderId").GetString()} paid {r.GetProperty("payment").GetProperty("amount").GetInt32()}").Order());
        Assert.All(results, r => Assert.Equal("order", r.GetProperty("order").GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task DocsExample_ReduceAndApproximateDistinct_MergesPerSensorAndGloballyAndEstimatesVisitors()
    {
        using var folder = new TestFolder();
        await RunDocsExampleAsync(folder, ReduceBlock(), "sensor-summary", "all-sensors", "visitors");

        var perSensor = Read(folder, "out/per-sensor.jsonl");
        Assert.Equal(
            [
                "s1 2026-01-01T10:00:00.000Z at=2026-01-01T10:00:05Z temp=22 readings=2 status=warm",
                "s1 2026-01-01T10:01:00.000Z at=2026-01-01T10:01:10Z temp=21 readings=1 status=ok",
                "s2 2026-01-01T10:00:00.000Z at=2026-01-01T10:00:10Z temp=18 readings=1 status=ok",
            ],
            perSensor.Select(r => $"{r.GetProperty("sensor").GetString()} {r.GetProperty("windowStart").GetString()} at={r.GetProperty("at").GetString()} temp={r.GetProperty("temp").GetDouble()} readings={r.GetProperty("readings").GetInt64()} status={r.GetProperty("status").GetString()}").Order());
        var all = Read(folder, "out/all-sensors.jsonl");
        Assert.Equal(["2026-01-01T10:00:00.000Z 3", "2026-01-01T10:01:00.000Z 1"], all.Select(r => $"{r.GetProperty("windowStart").GetString()} {r.GetProperty("readings").GetInt64()}").Order());

        // 3,000 views of 1,000 visitors (ids 0-999) in one hour: exact 1,000; the sketch (precision 12) within 3 standard errors.
        var visitors = Assert.Single(Read(folder, "out/visitors.jsonl"));
        Assert.Equal(1_000, visitors.GetProperty("distinct").GetInt64());
        Assert.InRange(visitors.GetProperty("approximateDistinct").GetInt64(), 1_000 * (1 - (3 * 0.01625)), 1_000 * (1 + (3 * 0.01625)));
    }

    [Fact]
    public async Task Reduce_KeepFirstWithProcessingTime_TakesTheFirstRecordsOtherFields()
    {
        using var folder = new TestFolder();
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ k: a, n: 1, s: x, v: 5 }, { k: a, n: 2, s: y }, { k: a, n: 3, s: z, v: 2 }] } }
                transforms:
                  - reduce: { key: k, size: 1d, keep: first, fields: { n: sum, v: min } }
                sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
            """, folder.File("p.yaml"), new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });
        await factory.Create(file["p"]).RunAsync();

        // One processing-time day holds the run (two results only if it straddles midnight UTC).
        var results = Read(folder, "out.jsonl");
        Assert.InRange(results.Count, 1, 2);
        Assert.Equal(6, results.Sum(r => r.GetProperty("n").GetInt64()));
        Assert.Equal("x", results[0].GetProperty("s").GetString());
    }

    [Fact]
    public void Join_MissingSettingsAndBadValues_AreTypedConfigurationErrorsListedTogether()
    {
        var errors = LoadErrors("""
              - join: { side: kind, left: order, timestamp: at }
              - join: { side: kind, left: order, key: k, timestamp: at, kind: outer, within: soon }
              - reduce: { size: 1m, fields: { n: average } }
            """);
        Assert.Equal(
            [
                "required pipelines[0].transforms[0].join.key",
                "not-allowed pipelines[0].transforms[1].join.kind",
                "pattern pipelines[0].transforms[1].join.within",
                "not-allowed pipelines[0].transforms[2].reduce.fields.n",
            ],
            errors.Select(e => $"{e.Code} {e.Path}"));
    }

    [Fact]
    public void Join_SameSideValuesOrOutputNames_AreConflicts()
    {
        var errors = LoadErrors("""
              - join: { side: kind, left: order, right: order, key: k, timestamp: at, leftAs: x, rightAs: x }
            """);
        Assert.Equal(2, errors.Count(e => e.Code == ConfigurationErrorCode.Conflict));
        Assert.Contains(errors, e => e.Path == "pipelines[0].transforms[0].join.right" && e.Message.Contains("must differ from left ('order')", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Message.Contains("leftAs and rightAs must be two different non-empty field names (were 'x' and 'x')", StringComparison.Ordinal));
    }

    [Fact]
    public void Window_ApproximateDistinctOutOfRange_IsAConfigurationError()
    {
        var errors = LoadErrors("""
              - window: { size: 1m, key: k, approximateDistinct: 30 }
            """);
        Assert.Contains(errors, e => e.Path.StartsWith("pipelines[0].transforms[0].window.approximateDistinct", StringComparison.Ordinal));
    }

    private static async Task RunDocsExampleAsync(TestFolder folder, Regex block, params string[] pipelines)
    {
        var docs = await File.ReadAllTextAsync(Path.Combine(TestFolder.RepositoryRoot(), "docs", "stateful.md"));
        var yaml = block.Match(docs).Groups["yaml"].Value;
        Assert.NotEmpty(yaml);
        await File.WriteAllTextAsync(folder.File("pipeline.yaml"), yaml);
        var file = PipelineDefinitionLoader.Load(folder.File("pipeline.yaml"), new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });
        foreach (var pipeline in pipelines)
        {
            await factory.Create(file[pipeline]).RunAsync();
        }
    }

    /// <summary>The errors of loading a pipeline with these transforms (YAML list items).</summary>
    private static IReadOnlyList<ConfigurationError> LoadErrors(string transforms) =>
        Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse(
            $$"""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ k: a }] } }
                transforms:
            {{string.Join('\n', transforms.TrimEnd().Split('\n').Select(l => "    " + l))}}
                sinks: [{ type: console }]
            """,
            "p.yaml")).Errors;

    private static List<JsonElement> Read(TestFolder folder, string path) =>
        [.. folder.Lines(path).Select(l => JsonDocument.Parse(l).RootElement)];

    [GeneratedRegex(@"<!--\s*definition:\s*stateful-stream-join\s*-->\s*```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex StreamJoinBlock();

    [GeneratedRegex(@"<!--\s*definition:\s*stateful-reduce\s*-->\s*```yaml\n(?<yaml>.*?)```", RegexOptions.Singleline)]
    private static partial Regex ReduceBlock();
}
