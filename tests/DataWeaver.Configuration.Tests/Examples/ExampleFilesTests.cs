using System.Text.Json;
using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Lifecycle;

namespace DataWeaver.Configuration.Tests.Examples;

/// <summary>Every example file under docs/configuration and samples/config parses and runs, with exact outcomes.</summary>
public sealed class ExampleFilesTests
{
    /// <summary>Each example file, the variables it runs with, and the lines each output file must have.</summary>
    private static readonly Dictionary<string, ((string, string)[] Environment, (string File, int Lines)[] Outputs)> Expected = new()
    {
        ["docs/configuration/examples/orders.yaml"] = ([], [("out/big-orders.jsonl", 525), ("out/orders.dead.jsonl", 175)]),
        ["docs/configuration/examples/orders.json"] = ([], [("out/big-orders.jsonl", 525), ("out/orders.dead.jsonl", 175)]),
        ["docs/configuration/examples/streams.yaml"] = ([], [("out/alerts.jsonl", 48)]),
        ["samples/config/orders-and-payments.yaml"] = ([("OUTPUT_DIR", "out")], [("out/joined.jsonl", 500)]),
        ["samples/config/quickstart.yaml"] = ([("ORDERS", "2000"), ("OUTPUT_DIR", "quick")], [("quick/big-orders.jsonl", 1600)]),
        ["samples/config/priority-orders.yaml"] = ([("OUTPUT_DIR", "quick")], [("quick/priority-orders.jsonl", 400), ("quick/priority-orders.dead.jsonl", 1)]),
    };

    public static TheoryData<string> ExampleFiles() => [.. Expected.Keys];

    [Fact]
    public void ExampleFiles_OnDisk_AreAllCovered()
    {
        var root = TestFolder.RepositoryRoot();
        var onDisk = new[] { "docs/configuration", "samples/config" }
            .SelectMany(folder => Directory.GetFiles(Path.Combine(root, folder), "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal) || (f.EndsWith(".json", StringComparison.Ordinal) && !f.EndsWith(".schema.json", StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

        Assert.Equal(Expected.Keys.Order(StringComparer.Ordinal), onDisk);
    }

    [Theory]
    [MemberData(nameof(ExampleFiles))]
    public async Task ExampleFile_Run_EveryPipelineCompletesWithTheExpectedOutput(string relativePath)
    {
        using var folder = new TestFolder();
        var (environment, outputs) = Expected[relativePath];
        if (relativePath.EndsWith("priority-orders.yaml", StringComparison.Ordinal))
        {
            await WriteQuickstartOutputAsync(folder);
        }

        var pipelines = await ExampleRunner.RunAsync(
            Path.Combine(TestFolder.RepositoryRoot(), relativePath),
            folder.Path,
            Env.Of([.. environment.Select(v => (v.Item1, v.Item2.Contains('/') || v.Item1 != "OUTPUT_DIR" ? v.Item2 : Path.Combine(folder.Path, v.Item2)))]));

        Assert.All(pipelines, p => Assert.Equal(p.Definition!.Source.Type == "stream" ? PipelineState.Stopped : PipelineState.Completed, p.State)); // a stream is stopped by the runner
        foreach (var (file, lines) in outputs)
        {
            Assert.Equal(lines, folder.Lines(file).Length);
        }
    }

    [Fact]
    public async Task Orders_Run_WritesEnrichedRecordsAndDeadLettersWithTheirError()
    {
        using var folder = new TestFolder();

        await ExampleRunner.RunAsync(Path.Combine(TestFolder.RepositoryRoot(), "docs/configuration/examples/orders.yaml"), folder.Path, Env.Empty);

        Assert.Equal("""{"id":100,"customer":{"id":"c-0"},"country":"DE","total":100.5,"qty":1,"createdAt":1767225700000,"region":"EMEA","label":"c-0/100"}""", folder.Lines("out/big-orders.jsonl")[0]);
        // Two workers dead-letter concurrently: the dead-letter file's order is not the input's, so find id 102's letter.
        using var dead = folder.Lines("out/orders.dead.jsonl")
            .Select(line => JsonDocument.Parse(line))
            .Single(letter => letter.RootElement.GetProperty("payload").GetProperty("id").GetInt64() == 102);
        var error = dead.RootElement.GetProperty("error");
        Assert.Equal("Data", error.GetProperty("class").GetString());
        Assert.Equal("The field 'qty' (three) cannot be converted to int.", error.GetProperty("message").GetString());
        Assert.Equal("generator", dead.RootElement.GetProperty("source").GetString());
        Assert.Equal(
            """{"id":102,"customer":{"id":"c-2","email":"user2@example.com"},"country":"US","amount":102.5,"qty":"three","createdAt":"2026-01-01T00:01:42.000Z"}""",
            dead.RootElement.GetProperty("payload").GetRawText());
    }

    /// <summary>What the quickstart leaves for priority-orders.yaml: 2,000 orders, and one malformed line.</summary>
    private static async Task WriteQuickstartOutputAsync(TestFolder folder)
    {
        await ExampleRunner.RunAsync(
            Path.Combine(TestFolder.RepositoryRoot(), "samples/config/quickstart.yaml"),
            folder.Path,
            Env.Of(("ORDERS", "2000"), ("OUTPUT_DIR", folder.File("quick"))));
        await File.AppendAllTextAsync(folder.File("quick/big-orders.jsonl"), "{\"id\": truncated\n");
    }
}
