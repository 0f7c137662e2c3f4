using System.Text.Json;
using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Merging;

namespace DataWeaver.Configuration.Tests.Merging;

/// <summary>Merged <c>sources</c> (fan-in) in definition files, and the example of docs/stateful.md, run.</summary>
public sealed class MergedSourcesTests
{
    private const int PerFile = 3_000;

    [Fact]
    public async Task DocsExample_TwoFilesAndAGenerator_EveryRecordOnceTaggedWithItsSource()
    {
        using var folder = new TestFolder();
        WriteInputs(folder);
        var yaml = await StatefulDocs.DefinitionAsync("stateful-merged-sources");
        await File.WriteAllTextAsync(folder.File("pipeline.yaml"), yaml);
        var file = PipelineDefinitionLoader.Load(folder.File("pipeline.yaml"), new PipelineLoadOptions { BaseDirectory = folder.Path });
        Assert.Equal(["europe", "america", "test-orders"], file["all-orders"].Sources.Select(s => s.Name));
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });

        await factory.Create(file["all-orders"]).RunAsync().WaitAsync(TimeSpan.FromMinutes(2));

        var records = Read(folder, "out/all-orders.jsonl");
        Assert.Equal((2 * PerFile) + 100, records.Count);
        var expected = Enumerable.Range(0, PerFile).Select(n => $"europe {n}")
            .Concat(Enumerable.Range(0, PerFile).Select(n => $"america {n}"))
            .Concat(Enumerable.Range(0, 100).Select(n => $"test-orders {1_000_000 + n}"));
        Assert.Equal(expected.Order(StringComparer.Ordinal), records.Select(r => $"{r.GetProperty("origin").GetString()} {r.GetProperty("id").GetInt64()}").Order(StringComparer.Ordinal));

        // Records of one source keep their order.
        foreach (var origin in new[] { "europe", "america" })
        {
            var ids = records.Where(r => r.GetProperty("origin").GetString() == origin).Select(r => r.GetProperty("id").GetInt64()).ToList();
            Assert.Equal(ids.Order(), ids);
        }
    }

    [Fact]
    public async Task Sources_StopMidRunThenRestart_EachFileResumesFromItsOwnCheckpointEveryRecordOnce()
    {
        using var folder = new TestFolder();
        WriteInputs(folder);
        var yaml = """
            version: 1
            pipelines:
              - name: p
                sources:
                  - { name: europe, type: file, settings: { path: in/europe.jsonl, checkpointDirectory: checkpoints, follow: FOLLOW } }
                  - { name: america, type: file, settings: { path: in/america.jsonl, checkpointDirectory: checkpoints, follow: FOLLOW } }
                sourceField: origin
                transforms:
                  - throttle: { rate: RATE, per: 1s }
                batch: { size: 50 }
                commitInterval: continuous
                sinks: [{ type: json-lines-file, settings: { path: out.jsonl, append: true } }]
            """;
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });

        // Run 1: slowed down and following the files (it never ends by itself); stopped once both sources had records written.
        var run1 = factory.Create(Load(folder, yaml.Replace("FOLLOW", "true", StringComparison.Ordinal).Replace("RATE", "1000", StringComparison.Ordinal))).Start();
        await WaitUntilAsync(() => Acknowledged(run1, 0) >= 100 && Acknowledged(run1, 1) >= 100);

        await run1.StopAsync().WaitAsync(TimeSpan.FromMinutes(2));
        var first = Read(folder, "out.jsonl");
        Assert.InRange(first.Count(r => r.GetProperty("origin").GetString() == "europe"), 1, PerFile - 1);
        Assert.InRange(first.Count(r => r.GetProperty("origin").GetString() == "america"), 1, PerFile - 1);

        // Run 2 resumes each file from its own checkpoint and reads to the end.
        await factory.Create(Load(folder, yaml.Replace("FOLLOW", "false", StringComparison.Ordinal).Replace("RATE", "1000000", StringComparison.Ordinal))).RunAsync().WaitAsync(TimeSpan.FromMinutes(2));

        var all = Read(folder, "out.jsonl");
        foreach (var origin in new[] { "europe", "america" })
        {
            var ids = all.Where(r => r.GetProperty("origin").GetString() == origin).Select(r => r.GetProperty("id").GetInt64()).ToList();
            Assert.Equal(Enumerable.Range(0, PerFile).Select(n => (long)n), ids); // none lost, none twice, in order
        }

        Assert.Equal(2 * PerFile, all.Count);
    }

    [Fact]
    public async Task Sources_MemoryAndGeneratorWithoutSourceField_EveryRecordOnceUntagged()
    {
        using var folder = new TestFolder();
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                sources:
                  - { name: fixed, type: memory, settings: { records: [{ n: -1 }, { n: -2 }, { n: -3 }] } }
                  - { name: counted, type: generator, settings: { count: 1000, fields: { n: { number: {} } } } }
                transforms:
                  - filter: { field: n, op: ">=", value: -2 }
                sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
            """, folder.File("p.yaml"), new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });

        await factory.Create(file["p"]).RunAsync().WaitAsync(TimeSpan.FromMinutes(2));

        var lines = folder.Lines("out.jsonl");
        Assert.Equal(Enumerable.Range(-2, 1002).Select(n => $$"""{"n":{{n}}}"""), lines.OrderBy(l => JsonDocument.Parse(l).RootElement.GetProperty("n").GetInt64()));
    }

    [Fact]
    public void Sources_BothSourceAndSourcesOrUnnamedOrDuplicateOrMessages_AreConfigurationErrorsWithPaths()
    {
        var errors = Assert.Throws<PipelineDefinitionException>(() => PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ k: a }] } }
                sources:
                  - { type: memory, settings: { records: [{ k: a }] } }
                  - { name: x, type: memory, settings: { records: [{ k: b }] } }
                  - { name: x, type: memory, settings: { records: [{ k: c }] } }
                  - { name: s, type: stream, settings: { topic: t } }
                sinks: [{ type: console }]
              - name: q
                source: { type: memory, settings: { records: [{ k: a }] } }
                sourceField: origin
                sinks: [{ type: console }]
              - name: r
                sinks: [{ type: console }]
              - name: s
                sources:
                  - { name: a, type: memory, settings: { records: [{ k: a }] } }
                  - { name: b, type: memory, settings: { records: [{ k: b }] } }
                transforms:
                  - window: { size: 1m, key: k, checkpointState: true }
                sinks: [{ type: console }]
            """, "p.yaml")).Errors;

        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Conflict && e.Path == "pipelines[0].sources");
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Required && e.Path == "pipelines[0].sources[0].name");
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.DuplicateName && e.Path == "pipelines[0].sources[2].name");
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Conflict && e.Path == "pipelines[0].sources[3].type");
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Conflict && e.Path == "pipelines[1].sourceField");
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Required && e.Path == "pipelines[2].source");
        Assert.Contains(errors, e => e.Code == ConfigurationErrorCode.Conflict && e.Path == "pipelines[3].transforms[0].window.checkpointState");
        Assert.Equal(7, errors.Count);
    }

    [Fact]
    public async Task Sources_CheckpointedFilesWithAReplacingSink_AreRefusedAndTheOutputKept()
    {
        using var folder = new TestFolder();
        WriteInputs(folder);
        await File.WriteAllTextAsync(folder.File("out.jsonl"), "{\"earlier\":true}\n");
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => factory.Create(Load(folder, """
            version: 1
            pipelines:
              - name: p
                sources:
                  - { name: europe, type: file, settings: { path: in/europe.jsonl } }
                  - { name: america, type: file, settings: { path: in/america.jsonl, checkpointDirectory: checkpoints } }
                sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
            """)).RunAsync().WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Contains("needs append: true", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("{\"earlier\":true}\n", await File.ReadAllTextAsync(folder.File("out.jsonl")));
    }

    [Fact]
    public async Task Sources_SinkWritingTheFileOneSourceReads_IsRefusedAndTheInputKept()
    {
        using var folder = new TestFolder();
        WriteInputs(folder);
        var before = await File.ReadAllTextAsync(folder.File("in/america.jsonl"));
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => factory.Create(Load(folder, """
            version: 1
            pipelines:
              - name: p
                sources:
                  - { name: europe, type: file, settings: { path: in/europe.jsonl } }
                  - { name: america, type: file, settings: { path: in/america.jsonl } }
                sinks: [{ type: json-lines-file, settings: { path: in/america.jsonl, append: true } }]
            """)).RunAsync().WaitAsync(TimeSpan.FromMinutes(2)));

        Assert.Contains("a loop that fills the disk", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(before, await File.ReadAllTextAsync(folder.File("in/america.jsonl")));
    }

    [Fact]
    public async Task Sources_SecondRunOnTheSameCheckpointsWhileTheFirstRuns_FailsAtOnceWithTheLockError()
    {
        using var folder = new TestFolder();
        WriteInputs(folder);
        var yaml = """
            version: 1
            pipelines:
              - name: p
                sources:
                  - { name: europe, type: file, settings: { path: in/europe.jsonl, checkpointDirectory: checkpoints, follow: true } }
                  - { name: america, type: file, settings: { path: in/america.jsonl, checkpointDirectory: checkpoints, follow: true } }
                sinks: [{ type: json-lines-file, settings: { path: OUT, append: true } }]
            """;
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });
        var first = factory.Create(Load(folder, yaml.Replace("OUT", "first.jsonl", StringComparison.Ordinal))).Start();
        await WaitUntilAsync(() => Acknowledged(first, 0) + Acknowledged(first, 1) > 0);

        var error = await Assert.ThrowsAsync<DataWeaver.Connectors.Files.Output.FileLockedException>(
            () => factory.Create(Load(folder, yaml.Replace("OUT", "second.jsonl", StringComparison.Ordinal))).RunAsync().WaitAsync(TimeSpan.FromMinutes(2)));
        await first.StopAsync().WaitAsync(TimeSpan.FromMinutes(2));

        Assert.Equal(Environment.ProcessId, error.Holder!.ProcessId);
        Assert.False(File.Exists(folder.File("second.jsonl")) && new FileInfo(folder.File("second.jsonl")).Length > 0);
    }

    /// <summary>Polls <paramref name="condition"/> until it holds; a hang guard of 2 minutes, never a timing assumption.</summary>
    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (!condition())
        {
            await Task.Delay(10, timeout.Token);
        }
    }

    private static long Acknowledged(Pipelines.PipelineRun run, int source) =>
        run.AcknowledgedPositions.Where(p => p.Partition / MergedSource<int>.PartitionStride == source).Select(p => p.Offset).DefaultIfEmpty(0).Max();

    private static PipelineDefinition Load(TestFolder folder, string yaml) =>
        PipelineDefinitionLoader.Parse(yaml, folder.File("p.yaml"), new PipelineLoadOptions { BaseDirectory = folder.Path })["p"];

    private static void WriteInputs(TestFolder folder)
    {
        Directory.CreateDirectory(folder.File("in"));
        foreach (var name in new[] { "europe", "america" })
        {
            File.WriteAllText(folder.File($"in/{name}.jsonl"), string.Concat(Enumerable.Range(0, PerFile).Select(n => $"{{\"id\":{n},\"amount\":{n % 7}}}\n")));
        }
    }

    private static List<JsonElement> Read(TestFolder folder, string path) =>
        [.. folder.Lines(path).Select(l => JsonDocument.Parse(l).RootElement)];
}
