using DataWeaver.Connectors.Files.Output;
using DataWeaver.Formats.Tests.Support;

namespace DataWeaver.Formats.Tests.Files;

/// <summary>The <c>file</c> connector keeps the engine's file-safety promises: locks, build refusals, torn-tail repair.</summary>
public sealed class FileSafetyTests
{
    [Fact]
    public async Task Build_CheckpointedFileSourceWithReplacingSink_IsRefusedNamingTheRule()
    {
        using var run = new DefinitionRun();
        run.Write("in.jsonl", "{\"n\":1}\n");
        run.Write("out.jsonl", "{\"earlier\":true}\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => run.RunAsync(FileConnectorTests.Pipeline(
            "{ type: file, settings: { path: in.jsonl, checkpointDirectory: cp } }", "{ type: file, settings: { path: out.jsonl } }")));

        Assert.Contains("needs append: true", error.ToString(), StringComparison.Ordinal);
        Assert.Equal("{\"earlier\":true}\n", run.Read("out.jsonl"));
    }

    [Fact]
    public async Task Build_SinkWritingIntoTheFolderTheSourceReads_IsRefused()
    {
        using var run = new DefinitionRun();
        Directory.CreateDirectory(run.PathOf("in"));
        run.Write("in/a.jsonl", "{\"n\":1}\n");

        var error = await Assert.ThrowsAnyAsync<Exception>(() => run.RunAsync(FileConnectorTests.Pipeline(
            "{ type: file, settings: { path: in } }", "{ type: file, settings: { path: in/out.jsonl } }")));

        Assert.Contains("a loop that fills the disk", error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(run.PathOf("in/out.jsonl")));
    }

    [Fact]
    public async Task RunAsync_OutputLockedByAnotherWriter_FailsNamingTheHolderAndKeepsTheFile()
    {
        using var run = new DefinitionRun();
        run.Write("in.jsonl", "{\"n\":1}\n");
        run.Write("out.jsonl", "{\"earlier\":true}\n");
        await using (var holder = SafeFileWriter.Open(run.PathOf("out.jsonl"), new SafeFileWriterOptions { Append = true }))
        {
            var error = await Assert.ThrowsAnyAsync<Exception>(() => run.RunAsync(FileConnectorTests.Pipeline(
                "{ type: file, settings: { path: in.jsonl } }", "{ type: file, settings: { path: out.jsonl } }")));

            Assert.Contains(Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), error.ToString(), StringComparison.Ordinal);
        }

        Assert.Equal("{\"earlier\":true}\n", run.Read("out.jsonl"));
    }

    [Fact]
    public async Task RunAsync_AppendToAFileWithATornLastLine_CutsItBeforeAppending()
    {
        using var run = new DefinitionRun();
        run.Write("in.jsonl", "{\"n\":2}\n");
        run.Write("out.jsonl", "{\"n\":1}\n{\"n\":");

        await run.RunAsync(FileConnectorTests.Pipeline("{ type: file, settings: { path: in.jsonl } }", "{ type: file, settings: { path: out.jsonl, append: true } }"));

        Assert.Equal("{\"n\":1}\n{\"n\":2}\n", run.Read("out.jsonl"));
    }

    [Fact]
    public async Task RunAsync_ReplacingSink_LeavesNoLockOrTemporaryFileBehind()
    {
        using var run = new DefinitionRun();
        run.Write("in.jsonl", "{\"n\":1}\n");

        await run.RunAsync(FileConnectorTests.Pipeline("{ type: file, settings: { path: in.jsonl } }", "{ type: file, settings: { path: out/out.jsonl } }"));

        Assert.Equal(["out.jsonl"], Directory.GetFiles(run.PathOf("out")).Select(Path.GetFileName).Where(n => !n!.EndsWith(".lock", StringComparison.Ordinal) && !n.EndsWith(".holder", StringComparison.Ordinal)));
        Assert.Empty(Directory.GetFiles(run.PathOf("out"), "*dw-tmp*"));
    }
}
