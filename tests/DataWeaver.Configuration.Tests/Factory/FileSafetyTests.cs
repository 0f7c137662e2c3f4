using DataWeaver.Configuration.Tests.Support;

namespace DataWeaver.Configuration.Tests.Factory;

/// <summary>
/// Issue 10's file-safety rules as a definition-file user meets them: building (what <c>dataweaver validate</c> does)
/// refuses a sink writing its source's file and a checkpointed pipeline with a replacing file (sink or dead letters),
/// and creates nothing on disk; dead letters without a checkpoint are replaced only when a run succeeds.
/// </summary>
public sealed class FileSafetyTests : IDisposable
{
    private readonly TestFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    // Bug 2: validate accepted a checkpointed source with the sink's default append: false.
    [Fact]
    public async Task Create_CheckpointedSourceWithDefaultAppendSink_IsRefusedNamingTheRule()
    {
        var error = await BuildAsync("""
            source: { type: json-lines-file, settings: { path: in.jsonl, checkpointDirectory: checkpoints } }
            sinks: [{ type: json-lines-file, settings: { path: out/out.jsonl } }]
            """);

        Assert.NotNull(error);
        var message = Assert.Single(error.Errors).Message;
        Assert.Contains($"replaces '{_folder.File("out/out.jsonl")}' on each run (append: false), but the source", message, StringComparison.Ordinal);
        Assert.Contains("A pipeline whose source resumes (a checkpoint, a consumer group) needs append: true on every file it writes, sinks and dead-letter files alike.", message, StringComparison.Ordinal);
        Assert.Equal(["p.yaml"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName)); // no folder, no checkpoint
    }

    // Bug 3: dead-letter files with the default append: false were wiped by the next incremental run.
    [Fact]
    public async Task Create_CheckpointedSourceWithDefaultAppendDeadLetterFile_IsRefused()
    {
        var error = await BuildAsync("""
            source: { type: json-lines-file, settings: { path: in.jsonl, checkpointDirectory: checkpoints } }
            errors:
              onFailure: dead-letter
              deadLetter: { type: json-lines-file, settings: { path: dead.jsonl } }
            sinks: [{ type: json-lines-file, settings: { path: out.jsonl, append: true } }]
            """);

        Assert.NotNull(error);
        var message = Assert.Single(error.Errors).Message;
        Assert.StartsWith("pipeline 'p': Dead-letter sink '", message, StringComparison.Ordinal);
        Assert.Contains($"' replaces '{_folder.File("dead.jsonl")}' on each run (append: false)", message, StringComparison.Ordinal);
    }

    // The same loss with a broker: a consumer group resumes from its committed offsets, so a replacing sink keeps only the last run's records.
    [Fact]
    public async Task Create_StreamSourceWithReplacingSink_IsRefusedNamingTheConsumerGroup()
    {
        var error = await BuildAsync("""
            source: { type: stream, settings: { topic: t, group: g } }
            sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
            """);

        Assert.NotNull(error);
        Assert.Contains("resumes from its consumer group's committed offsets", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    // Bug 6: a sink writing the file its own source reads was accepted.
    [Fact]
    public async Task Create_SinkPathIsTheSourcePath_IsRefused()
    {
        var error = await BuildAsync("""
            source: { type: json-lines-file, settings: { path: data/in.jsonl } }
            sinks: [{ type: json-lines-file, settings: { path: ./data/../data/in.jsonl, append: true } }]
            """);

        Assert.NotNull(error);
        Assert.Contains($"writes '{_folder.File("data/in.jsonl")}', the file the source", Assert.Single(error.Errors).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_CheckpointedPipelineAppendingEverywhere_BuildsAndCreatesNothing()
    {
        var error = await BuildAsync("""
            source: { type: json-lines-file, settings: { path: in.jsonl, checkpointDirectory: state/checkpoints } }
            errors:
              onFailure: dead-letter
              deadLetter: { type: json-lines-file, settings: { path: dead/dead.jsonl, append: true } }
            sinks: [{ type: json-lines-file, settings: { path: out/out.jsonl, append: true } }]
            """);

        Assert.Null(error);
        Assert.Equal(["p.yaml"], Directory.EnumerateFileSystemEntries(_folder.Path).Select(Path.GetFileName));
    }

    // Bug 3, without a checkpoint: the dead letters of an earlier run survive a run that fails.
    [Fact]
    public async Task Run_DeadLetterFileWithoutCheckpoint_FailedRunKeepsTheEarlierDeadLetters()
    {
        await File.WriteAllTextAsync(_folder.File("dead.jsonl"), "{\"earlier\":\"dead letter\"}\n");
        var file = Load("""
            source: { type: json-lines-file, settings: { path: missing.jsonl } }
            errors:
              onFailure: dead-letter
              deadLetter: { type: json-lines-file, settings: { path: dead.jsonl } }
            sinks: [{ type: json-lines-file, settings: { path: out.jsonl } }]
            """);
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = _folder.Path });

        await Assert.ThrowsAnyAsync<Exception>(() => factory.Create(file["p"]).RunAsync());

        Assert.Equal(["{\"earlier\":\"dead letter\"}"], _folder.Lines("dead.jsonl"));
        Assert.False(File.Exists(_folder.File("out.jsonl")));
    }

    private async Task<PipelineDefinitionException?> BuildAsync(string pipeline)
    {
        var file = Load(pipeline);
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = _folder.Path });
        try
        {
            factory.Create(file["p"]);
            return null;
        }
        catch (PipelineDefinitionException exception)
        {
            return exception;
        }
    }

    private PipelineFileDefinition Load(string pipeline)
    {
        var text = "version: 1\npipelines:\n  - name: p\n" + string.Join('\n', pipeline.Split('\n').Select(l => "    " + l)) + "\n";
        File.WriteAllText(_folder.File("p.yaml"), text);
        return PipelineDefinitionLoader.Parse(text, _folder.File("p.yaml"), new PipelineLoadOptions { BaseDirectory = _folder.Path });
    }
}
