using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Run;

/// <summary>Issue 11, found 5: relative paths resolved against the current directory, so <c>dataweaver run p/x.yaml</c> from elsewhere failed.</summary>
public sealed class RelativePathTests : IDisposable
{
    private const string Copy = """
        version: 1
        pipelines:
          - name: copy
            source: { type: json-lines-file, settings: { path: input.jsonl } }
            sinks:
              - { type: json-lines-file, settings: { path: out/copy.jsonl } }
        """;

    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Run_FileInAnotherFolder_ReadsAndWritesBesideTheFileNotTheCurrentDirectory()
    {
        _folder.Write("jobs/copy.yaml", Copy);
        _folder.Write("jobs/input.jsonl", "{\"id\":1}\n{\"id\":2}\n");

        var result = await _folder.Cli().RunAsync("run", "jobs/copy.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["{\"id\":1}", "{\"id\":2}"], File.ReadAllLines(_folder["jobs/out/copy.jsonl"]));
        Assert.Equal(["jobs"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName)); // nothing beside the current directory
    }

    [Fact]
    public async Task Graph_FileInAnotherFolder_BuildsWithItsFoldersPaths()
    {
        _folder.Write("jobs/copy.yaml", Copy);
        _folder.Write("jobs/input.jsonl", "{\"id\":1}\n");

        var result = await _folder.Cli().RunAsync("graph", "jobs/copy.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Contains("JsonLinesSink", result.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_InputMissing_WarnsOnStderrExits0AndCreatesNothing()
    {
        _folder.Write("jobs/copy.yaml", Copy.Replace("source: { type: json-lines-file, settings: { path: input.jsonl } }", "source: { type: json-lines-file, settings: { path: input.jsonl, checkpointDirectory: state } }", StringComparison.Ordinal).Replace("out/copy.jsonl }", "out/copy.jsonl, append: true }", StringComparison.Ordinal));
        var before = Directory.EnumerateFileSystemEntries(_folder.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();

        var result = await _folder.Cli().RunAsync("validate", "jobs/copy.yaml");

        Assert.True(result.ExitCode == 0, result.ToString());
        Assert.Equal(["valid: 1 pipeline (copy)"], result.OutLines);
        var warning = Assert.Single(result.ErrorLines);
        Assert.StartsWith("jobs/copy.yaml:4:", warning, StringComparison.Ordinal);
        Assert.Contains("pipelines[0].source.settings.path: warning: the input 'input.jsonl' does not exist", warning, StringComparison.Ordinal);
        Assert.EndsWith("does not exist (yet; relative paths are from the file's folder): the run fails unless it appears first.", warning, StringComparison.Ordinal);
        Assert.Equal(before, Directory.EnumerateFileSystemEntries(_folder.Path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Validate_InputPresent_PrintsNoWarning()
    {
        _folder.Write("jobs/copy.yaml", Copy);
        _folder.Write("jobs/input.jsonl", "{\"id\":1}\n");

        var result = await _folder.Cli().RunAsync("validate", "jobs/copy.yaml");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Error);
        Assert.False(Directory.Exists(_folder["jobs/out"]));
    }

    public void Dispose() => _folder.Dispose();
}
