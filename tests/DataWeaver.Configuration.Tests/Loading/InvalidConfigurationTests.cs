using DataWeaver.Configuration.Tests.Support;

namespace DataWeaver.Configuration.Tests.Loading;

/// <summary>
/// Every invalid file is rejected before anything is constructed: the error names the offending key, file, line and
/// column, and the probe connector factories were never called.
/// </summary>
public sealed class InvalidConfigurationTests
{
    private const string Valid = """
        version: 1
        pipelines:
          - name: orders
            source: { type: probe, settings: { count: 3 } }
            transforms:
              - code: { name: probe-transform }
            sinks: [{ type: probe-sink, settings: { path: out.jsonl } }]
        """;

    public static TheoryData<string> CaseNames() => [.. InvalidConfigurations.Cases.Keys];

    [Fact]
    public void Cases_Count_IsAtLeastFifty()
    {
        Assert.True(InvalidConfigurations.Cases.Count >= 50, $"{InvalidConfigurations.Cases.Count} cases");
    }

    [Fact]
    public async Task LoadFile_ValidProbeFile_ConstructsTheProbes()
    {
        using var folder = new TestFolder();
        var probes = new Probes();
        await using var manager = new PipelineManager(new PipelineManagerOptions { Registry = probes.Registry, Factory = new PipelineFactoryOptions { BaseDirectory = folder.Path } });
        var path = folder.File("valid.yaml");
        await File.WriteAllTextAsync(path, Valid);

        var pipelines = manager.LoadFile(path);

        Assert.Equal(["orders"], pipelines.Select(p => p.Name));
        Assert.Equal(3, probes.Constructed); // source, sink and the code transform: the counter counts
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task LoadFile_InvalidFile_ReportsKeyAndPositionAndConstructsNothing(string name)
    {
        var (marked, expectedPath, expectedCode) = InvalidConfigurations.Cases[name];
        var (text, line, column) = Unmark(marked);
        using var folder = new TestFolder();
        var probes = new Probes();
        await using var manager = new PipelineManager(new PipelineManagerOptions { Registry = probes.Registry, Environment = Env.Empty, Factory = new PipelineFactoryOptions { BaseDirectory = folder.Path } });
        var path = folder.File(name + (text.StartsWith('{') ? ".json" : ".yaml"));
        await File.WriteAllTextAsync(path, text);

        var exception = Assert.Throws<PipelineDefinitionException>(() => manager.LoadFile(path));

        var described = string.Join(Environment.NewLine, exception.Errors);
        Assert.Contains(exception.Errors, e => e.Path == expectedPath && e.Code == expectedCode && e.Line == line && e.Column == column && e.File == path);
        Assert.All(exception.Errors, e => Assert.False(string.IsNullOrWhiteSpace(e.Message), described));
        Assert.Contains($"{path}:{line}:{column}", exception.Message);
        Assert.Equal(0, probes.Constructed);
        Assert.Empty(manager.Pipelines);
    }

    /// <summary>Removes the '§' marker and returns where it was (1-based line and column).</summary>
    private static (string Text, int Line, int Column) Unmark(string marked)
    {
        var at = marked.IndexOf('§', StringComparison.Ordinal);
        Assert.True(at >= 0, "the case has no § marker");
        var before = marked[..at];
        var line = before.Count(c => c == '\n') + 1;
        var column = at - (before.LastIndexOf('\n') + 1) + 1;
        return (marked.Remove(at, 1), line, column);
    }
}
