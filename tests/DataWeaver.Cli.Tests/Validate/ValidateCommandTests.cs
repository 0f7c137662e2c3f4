using DataWeaver.Cli.Tests.Infrastructure;

namespace DataWeaver.Cli.Tests.Validate;

public sealed class ValidateCommandTests : IDisposable
{
    private readonly TestFolder _folder = new();

    [Fact]
    public async Task Validate_ValidFile_PrintsPipelineCountAndNamesAndExits0()
    {
        var result = await _folder.Cli().RunAsync("validate", Path.Combine(TestFolder.RepositoryRoot(), "docs/configuration/examples/streams.yaml"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["valid: 2 pipelines (produce, alert)"], result.OutLines);
        Assert.Empty(result.Error);
    }

    [Fact]
    public async Task Validate_SocketExample_TheCliKnowsTheUdpAndTcpTypes()
    {
        var result = await _folder.Cli().RunAsync("validate", Path.Combine(TestFolder.RepositoryRoot(), "docs/sockets/udp-metrics.yaml"));

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["valid: 1 pipeline (udp-metrics)"], result.OutLines);
    }

    [Fact]
    public async Task Validate_InvalidFile_PrintsEveryErrorAndExits2()
    {
        _folder.Write("bad.json", """
            {
              "version": 2,
              "pipelines": [
                { "name": "a b", "source": { "type": "memory" }, "sinks": [] }
              ]
            }
            """);

        var result = await _folder.Cli().RunAsync("validate", "bad.json");

        Assert.Equal(2, result.ExitCode);
        Assert.Empty(result.Out);
        Assert.True(result.ErrorLines.Length >= 3, result.ToString());
        Assert.All(result.ErrorLines, line => Assert.Matches(@"^bad\.json:\d+:\d+: [\w\[\]\.]+: .+$", line));
        Assert.Contains(result.ErrorLines, l => l.StartsWith("bad.json:2:14: version: ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Validate_FactoryRefusesSettings_ReportsTheConnectorsPositionAndExits2()
    {
        File.WriteAllText(_folder["blocker"], "a file where the sink wants a folder");
        _folder.Write("sink.yaml", """
            version: 1
            pipelines:
              - name: p
                source: { type: memory, settings: { records: [{ id: 1 }] } }
                sinks:
                  - { type: json-lines-file, settings: { path: blocker/out.jsonl } }
            """);

        var result = await _folder.Cli().RunAsync("validate", "sink.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.StartsWith("sink.yaml:6:9: pipelines[0].sinks[0]: ", Assert.Single(result.ErrorLines), StringComparison.Ordinal);
    }

    // Issue 10, bug 1: validate created output folders (one at the filesystem root).
    [Fact]
    public async Task Validate_OutputsAndCheckpointsInMissingFolders_CreatesNothingOnDisk()
    {
        _folder.Write("in.jsonl", "{\"id\":1}\n");
        _folder.Write("p.yaml", """
            version: 1
            pipelines:
              - name: p
                source: { type: json-lines-file, settings: { path: in.jsonl, checkpointDirectory: state/checkpoints } }
                errors:
                  onFailure: dead-letter
                  deadLetter: { type: json-lines-file, settings: { path: dead/dead.jsonl, append: true } }
                sinks:
                  - { type: json-lines-file, settings: { path: out/deep/out.jsonl, append: true } }
            """);

        var result = await _folder.Cli().RunAsync("validate", "p.yaml");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["in.jsonl", "p.yaml"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    // Issue 10, bugs 2 and 6: validate accepted a checkpointed source with a replacing sink, and a sink writing its source's file.
    [Fact]
    public async Task Validate_CheckpointedSourceWithReplacingSinkAndSinkWritingTheInput_Exits2NamingBothRules()
    {
        _folder.Write("p.yaml", """
            version: 1
            pipelines:
              - name: p
                source: { type: json-lines-file, settings: { path: in.jsonl, checkpointDirectory: checkpoints } }
                sinks:
                  - { type: json-lines-file, settings: { path: out.jsonl } }
                  - { type: json-lines-file, settings: { path: in.jsonl, append: true } }
            """);

        var result = await _folder.Cli().RunAsync("validate", "p.yaml");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(result.ErrorLines, l => l.Contains("(append: false), but the source", StringComparison.Ordinal) && l.Contains("needs append: true", StringComparison.Ordinal));
        Assert.Contains(result.ErrorLines, l => l.Contains("the file the source", StringComparison.Ordinal) && l.Contains("loop", StringComparison.Ordinal));
        Assert.False(Directory.Exists(_folder["checkpoints"]));
    }

    [Fact]
    public async Task Validate_VariableFromSet_IsUsedAndSecretsAreNotPrinted()
    {
        _folder.Write("secret.yaml", """
            version: 1
            pipelines:
              - name: "p-${secret:NAME_TOKEN}"
                source: { type: memory, settings: { records: [{ id: 1 }] } }
                sinks: [{ type: discard }]
            """);

        var result = await _folder.Cli().RunAsync("validate", "secret.yaml", "--set", "NAME_TOKEN=hidden42");

        Assert.Equal(0, result.ExitCode);
        Assert.Equal(["valid: 1 pipeline (***)"], result.OutLines); // a value made with a secret is secret as a whole
        Assert.DoesNotContain("hidden42", result.Out, StringComparison.Ordinal);
    }

    public void Dispose() => _folder.Dispose();
}
