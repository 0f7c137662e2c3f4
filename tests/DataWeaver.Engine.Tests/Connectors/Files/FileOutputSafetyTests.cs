using System.Text;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;

namespace DataWeaver.Tests.Connectors.Files;

/// <summary>
/// Issue 10's "never lose data" for outputs and checkpoints: JSON-lines sinks write through <see cref="SafeFileWriter"/>
/// (replace on success only, append with repair, locked, identity-checked), checkpoints are locked per run, and a
/// pipeline build refuses sink == source and checkpointed pipelines with replacing files.
/// </summary>
public sealed class FileOutputSafetyTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly string _dir = Directory.CreateTempSubdirectory("dw-out-safety-").FullName;

    private string Input => Path.Combine(_dir, "in.jsonl");

    private string Output => Path.Combine(_dir, "out.jsonl");

    private string Checkpoints => Path.Combine(_dir, "checkpoints");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    // Bug 1: a failed run emptied the existing output (truncated at open, before the source even opened).
    [Fact]
    public async Task ReplacingSink_SourceFileMissing_RunFailsAndTheOldOutputIsUntouched()
    {
        File.WriteAllText(Output, "{\"old\":1}\n{\"old\":2}\n");

        var run = Pipeline.From(new JsonLinesSource(Path.Combine(_dir, "misspelled.jsonl"))).To(JsonLinesSink.Raw(Output)).Build().Start();
        await Assert.ThrowsAnyAsync<Exception>(() => run.Completion.WaitAsync(Guard));

        Assert.Equal("{\"old\":1}\n{\"old\":2}\n", File.ReadAllText(Output));
        Assert.Equal(["out.jsonl"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName));
    }

    [Fact]
    public async Task ReplacingSink_RunSucceeds_ReplacesTheFileAndLeavesNoTemporaryOrLockFile()
    {
        File.WriteAllText(Output, "{\"old\":1}\n");
        WriteInput(0, 100);

        await Pipeline.From(new JsonLinesSource(Input)).To(JsonLinesSink.Raw(Output)).Build().RunAsync().WaitAsync(Guard);

        Assert.Equal(File.ReadAllText(Input), File.ReadAllText(Output));
        Assert.Equal(["in.jsonl", "out.jsonl"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ReplacingSink_RunAborted_KeepsTheOldFileWhileRunningAndAfter()
    {
        File.WriteAllText(Output, "{\"old\":1}\n");
        WriteInput(0, 1_000);
        using var gate = new ManualResetEventSlim();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Pipeline.From(new JsonLinesSource(Input), new PipelineOptions { BatchSize = 10 })
            .Map(r => Hold(r, 500, reached, gate))
            .To(JsonLinesSink.Raw(Output))
            .Build()
            .Start();
        await reached.Task.WaitAsync(Guard);

        Assert.Equal("{\"old\":1}\n", File.ReadAllText(Output));
        Assert.True(File.Exists(SafeFileWriter.TemporaryPathFor(Output)), "the run writes a temporary file beside the output");
        run.Abort();
        gate.Set();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Completion.WaitAsync(Guard));

        Assert.Equal("{\"old\":1}\n", File.ReadAllText(Output));
        Assert.False(File.Exists(SafeFileWriter.TemporaryPathFor(Output)));
    }

    // Bug 1, second half: building (what validate does) created the output's folders.
    [Fact]
    public void Build_OutputInMissingFolders_CreatesNothingUntilTheRunOpens()
    {
        WriteInput(0, 1);
        var output = Path.Combine(_dir, "a", "b", "out.jsonl");

        Pipeline.From(new JsonLinesSource(Input)).To(JsonLinesSink.Raw(output)).Build();

        Assert.False(Directory.Exists(Path.Combine(_dir, "a")));
    }

    [Fact]
    public async Task Run_OutputInMissingFolders_CreatesThemWhenTheRunOpens()
    {
        WriteInput(0, 3);
        var output = Path.Combine(_dir, "a", "b", "out.jsonl");

        await Pipeline.From(new JsonLinesSource(Input)).To(JsonLinesSink.Raw(output)).Build().RunAsync().WaitAsync(Guard);

        Assert.Equal(File.ReadAllText(Input), File.ReadAllText(output));
    }

    // Bug 2: a checkpointed source with a replacing sink: a restart wiped everything written before.
    [Fact]
    public void Build_CheckpointedSourceAndReplacingSink_IsRefusedSayingAppendIsNeeded()
    {
        var source = new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = new FileCheckpointStore(Checkpoints) });

        var error = Assert.Throws<PipelineConfigurationException>(() => Pipeline.From(source).To(JsonLinesSink.Raw(Output)).Build());

        Assert.Contains($"Sink 'out.jsonl' replaces '{Output}' on each run (append: false), but the source 'in.jsonl' resumes from a checkpoint", error.Message, StringComparison.Ordinal);
        Assert.Contains("needs append: true on every file it writes, sinks and dead-letter files alike", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Checkpoints));
    }

    // Bug 3: dead-letter files with append: false were wiped by the next incremental run.
    [Fact]
    public void Build_CheckpointedSourceAndReplacingDeadLetterFile_IsRefused()
    {
        var source = new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = new FileCheckpointStore(Checkpoints) });
        var deadLetters = new JsonLinesSink<DeadLetter>(Path.Combine(_dir, "dead.jsonl"), new DeadLetterJsonSerializer());

        var error = Assert.Throws<PipelineConfigurationException>(() => Pipeline.From(source)
            .Map(r => r)
            .OnError(ErrorPolicy.Create().DeadLetterTo(deadLetters).Build())
            .To(JsonLinesSink.Raw(Output, new JsonLinesSinkOptions { Append = true }))
            .Build());

        Assert.Contains("Dead-letter sink 'dead.jsonl' replaces", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Sink 'out.jsonl'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_CheckpointedSourceAndAppendingFiles_Builds()
    {
        var source = new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = new FileCheckpointStore(Checkpoints) });
        var deadLetters = new JsonLinesSink<DeadLetter>(Path.Combine(_dir, "dead.jsonl"), new DeadLetterJsonSerializer(), new JsonLinesSinkOptions { Append = true });

        Pipeline.From(source)
            .Map(r => r)
            .OnError(ErrorPolicy.Create().DeadLetterTo(deadLetters).Build())
            .To(JsonLinesSink.Raw(Output, new JsonLinesSinkOptions { Append = true }))
            .Build();
    }

    // Bug 6: a sink writing the file its own source reads: a feedback loop that filled the disk.
    [Fact]
    public void Build_SinkWritesTheFileTheSourceReads_IsRefusedEvenThroughADifferentSpelling()
    {
        Directory.CreateDirectory(Path.Combine(_dir, "sub"));
        var sameFile = Path.Combine(_dir, "sub", "..", ".", "in.jsonl");

        var error = Assert.Throws<PipelineConfigurationException>(() =>
            Pipeline.From(new JsonLinesSource(Input)).To(JsonLinesSink.Raw(sameFile, new JsonLinesSinkOptions { Append = true })).Build());

        Assert.Contains($"Sink 'in.jsonl' writes '{Input}', the file the source 'in.jsonl' reads", error.Message, StringComparison.Ordinal);
        Assert.Contains("loop", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SinkWritesThroughASymbolicLinkToTheSourceFile_IsRefused()
    {
        WriteInput(0, 1);
        var link = Path.Combine(_dir, "link.jsonl");
        File.CreateSymbolicLink(link, Input);

        var error = Assert.Throws<PipelineConfigurationException>(() =>
            Pipeline.From(new JsonLinesSource(Input)).To(JsonLinesSink.Raw(link, new JsonLinesSinkOptions { Append = true })).Build());

        Assert.Contains("the file the source 'in.jsonl' reads", error.Message, StringComparison.Ordinal);
    }

    // Bug 5: two runs on one output at once: both wrote, ids were lost.
    [Fact]
    public async Task SecondRun_SameOutputWhileTheFirstRuns_FailsAtOnceNamingTheHolder()
    {
        WriteInput(0, 1_000);
        using var gate = new ManualResetEventSlim();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Pipeline.From(new JsonLinesSource(Input), new PipelineOptions { BatchSize = 10 })
            .Map(r => Hold(r, 500, reached, gate))
            .To(JsonLinesSink.Raw(Output, new JsonLinesSinkOptions { Append = true }))
            .Build()
            .Start();
        await reached.Task.WaitAsync(Guard);

        var second = Pipeline.From(new JsonLinesSource(Input)).To(JsonLinesSink.Raw(Output, new JsonLinesSinkOptions { Append = true })).Build().Start();
        var error = await Assert.ThrowsAsync<FileLockedException>(() => second.Completion.WaitAsync(Guard));
        gate.Set();
        await first.Completion.WaitAsync(Guard);

        Assert.Equal(Environment.ProcessId, error.Holder!.ProcessId);
        Assert.Equal(Environment.MachineName, error.Holder.HostName);
        Assert.Equal(FileLock.PathFor(Output), error.LockPath);
        Assert.Contains($"The output '{Output}' is in use by another run (process {Environment.ProcessId} on {Environment.MachineName} since ", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        Assert.Equal(File.ReadAllText(Input), File.ReadAllText(Output)); // the first run's records, each once

        await Pipeline.From(new JsonLinesSource(Input)).To(JsonLinesSink.Raw(Output)).Build().RunAsync().WaitAsync(Guard); // released
        Assert.Equal(File.ReadAllText(Input), File.ReadAllText(Output));
    }

    // Bug 5: two runs on one checkpoint at once.
    [Fact]
    public async Task SecondRun_SameCheckpointWhileTheFirstRuns_FailsAtOnceAndTheFirstRunsCheckpointStands()
    {
        WriteInput(0, 1_000);
        using var gate = new ManualResetEventSlim();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new FileCheckpointStore(Checkpoints);
        var first = Pipeline.From(new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = store }), new PipelineOptions { BatchSize = 10 })
            .Map(r => Hold(r, 500, reached, gate))
            .To(JsonLinesSink.Raw(Output, new JsonLinesSinkOptions { Append = true }))
            .Build()
            .Start();
        await reached.Task.WaitAsync(Guard);

        var other = Path.Combine(_dir, "other.jsonl");
        var second = Pipeline.From(new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = new FileCheckpointStore(Checkpoints) }))
            .To(JsonLinesSink.Raw(other, new JsonLinesSinkOptions { Append = true }))
            .Build()
            .Start();
        var error = await Assert.ThrowsAsync<FileLockedException>(() => second.Completion.WaitAsync(Guard));
        gate.Set();
        await first.Completion.WaitAsync(Guard);

        Assert.Contains($"The checkpoint '{store.GetPath(JsonLinesSource.DefaultCheckpointKey(Input))}' is in use by another run (process {Environment.ProcessId}", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(other), "the second run stopped before opening its sink");
        Assert.Equal(new FileInfo(Input).Length, Assert.Single((await store.LoadAsync(JsonLinesSource.DefaultCheckpointKey(Input)))!, p => p.Partition == 0).Offset);
        Assert.Equal([store.GetPath(JsonLinesSource.DefaultCheckpointKey(Input))], Directory.GetFiles(Checkpoints)); // the lock is gone with the run
    }

    // A lock left by a process that died (SIGKILL leaves its lock file and holder record behind) is taken over at once.
    [Fact]
    public async Task Run_LockFileAndTemporaryFileLeftByADeadProcess_TakesTheLockOverAndRemovesTheLeftovers()
    {
        WriteInput(0, 10);
        File.WriteAllText(Output, "{\"old\":1}\n");
        File.WriteAllText(FileLock.PathFor(Output), string.Empty);
        File.WriteAllText(FileLock.PathFor(Output) + ".holder", "{\"pid\":999999,\"host\":\"gone\",\"since\":\"2026-01-01T00:00:00Z\"}");
        var leftover = Path.Combine(_dir, ".out.jsonl.dw-tmp-999999");
        File.WriteAllText(leftover, "{\"half\":");

        await Pipeline.From(new JsonLinesSource(Input)).To(JsonLinesSink.Raw(Output)).Build().RunAsync().WaitAsync(Guard);

        Assert.Equal(File.ReadAllText(Input), File.ReadAllText(Output));
        Assert.False(File.Exists(leftover));
        Assert.False(File.Exists(FileLock.PathFor(Output)));
    }

    // Bug 4 (outputs): an output deleted mid-run still exited 0, with the checkpoint moved on to the end of the input.
    [Fact]
    public async Task AppendingSink_OutputDeletedMidRun_FailsTheRunBeforeTheCheckpointPassesTheRecordsAfterTheDeletion()
    {
        WriteInput(0, 1_000);
        using var gate = new ManualResetEventSlim();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var store = new FileCheckpointStore(Checkpoints);
        var run = Pipeline.From(new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = store }), new PipelineOptions { BatchSize = 10, CommitInterval = TimeSpan.Zero })
            .Map(r => Hold(r, 500, reached, gate))
            .To(JsonLinesSink.Raw(Output, new JsonLinesSinkOptions { Append = true }))
            .Build()
            .Start();
        await reached.Task.WaitAsync(Guard);

        File.Delete(Output);
        gate.Set();
        var error = await Assert.ThrowsAsync<DataWeaverException>(() => run.Completion.WaitAsync(Guard));

        Assert.Contains($"The output '{Output}' was deleted, moved or replaced while this run wrote it", error.Message, StringComparison.Ordinal);
        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        var committed = (await store.LoadAsync(JsonLinesSource.DefaultCheckpointKey(Input)))?.Single(p => p.Partition == 0).Offset ?? 0;
        Assert.True(committed <= OffsetOfLine(500), $"the checkpoint {committed} passed line 500 (offset {OffsetOfLine(500)}), written after the output was deleted");
    }

    [Fact]
    public async Task AppendingSink_OutputReplacedByAnotherFileMidRun_FailsTheRun()
    {
        WriteInput(0, 1_000);
        using var gate = new ManualResetEventSlim();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Pipeline.From(new JsonLinesSource(Input), new PipelineOptions { BatchSize = 10 })
            .Map(r => Hold(r, 500, reached, gate))
            .To(JsonLinesSink.Raw(Output, new JsonLinesSinkOptions { Append = true }))
            .Build()
            .Start();
        await reached.Task.WaitAsync(Guard);

        var replacement = Path.Combine(_dir, "replacement.jsonl");
        File.WriteAllText(replacement, "{\"other\":1}\n");
        File.Move(replacement, Output, overwrite: true);
        gate.Set();

        await Assert.ThrowsAsync<DataWeaverException>(() => run.Completion.WaitAsync(Guard));
        Assert.Equal("{\"other\":1}\n", File.ReadAllText(Output));
    }

    [Fact]
    public async Task ReplacingSink_TemporaryFileDeletedMidRun_FailsTheRunAndKeepsTheOldFile()
    {
        File.WriteAllText(Output, "{\"old\":1}\n");
        WriteInput(0, 1_000);
        using var gate = new ManualResetEventSlim();
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var run = Pipeline.From(new JsonLinesSource(Input), new PipelineOptions { BatchSize = 10 })
            .Map(r => Hold(r, 500, reached, gate))
            .To(JsonLinesSink.Raw(Output))
            .Build()
            .Start();
        await reached.Task.WaitAsync(Guard);

        File.Delete(SafeFileWriter.TemporaryPathFor(Output));
        gate.Set();

        var error = await Assert.ThrowsAsync<DataWeaverException>(() => run.Completion.WaitAsync(Guard));
        Assert.Contains("the run's temporary file for", error.Message, StringComparison.Ordinal);
        Assert.Equal("{\"old\":1}\n", File.ReadAllText(Output));
    }

    [Fact]
    public async Task SafeFileWriter_AppendWithRepair_CutsTheIncompleteLastLineAndAppends()
    {
        File.WriteAllText(Output, "{\"a\":1}\n{\"a\":");
        var writer = SafeFileWriter.Open(Output, new SafeFileWriterOptions { Append = true, RepairIncompleteLastLine = true });
        await using (writer)
        {
            await writer.WriteAsync("{\"a\":2}\n"u8.ToArray());
            writer.Commit();
        }

        Assert.Equal(5, writer.TruncatedBytes);
        Assert.Equal("{\"a\":1}\n{\"a\":2}\n", File.ReadAllText(Output));
    }

    // Found running the perf harness as root: a replacing sink writing /dev/null renamed its temporary file over the
    // device, leaving a regular file at /dev/null for every later program on the machine.
    [SkippableFact]
    public async Task ReplacingSink_OutputIsANamedPipe_WritesIntoThePipeAndLeavesItAPipeWithNoLockOrTemporaryFile()
    {
        Skip.If(OperatingSystem.IsWindows(), "no named pipes in the file system");

        var pipe = Path.Combine(_dir, "out.pipe");
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [pipe]))
        {
            await mkfifo.WaitForExitAsync().WaitAsync(Guard);
        }

        WriteInput(0, 100);
        var reading = Task.Run(() => File.ReadAllText(pipe)); // blocks until the sink opens the pipe, reads until it closes it

        await Pipeline.From(new JsonLinesSource(Input)).To(JsonLinesSink.Raw(pipe)).Build().RunAsync().WaitAsync(Guard);

        Assert.Equal(File.ReadAllText(Input), await reading.WaitAsync(Guard));
        Assert.True(FileIdentity.IsSpecialFile(pipe));
        Assert.Equal(["in.jsonl", "out.pipe"], Directory.EnumerateFileSystemEntries(_dir).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [SkippableFact]
    public async Task SafeFileWriter_DevNull_WritesIntoTheDeviceAndLeavesItADevice()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && FileIdentity.IsSpecialFile("/dev/null"), "/dev/null is not a device on this machine (something replaced it)");

        var before = Directory.EnumerateFiles("/dev", ".null*").ToList();
        var writer = SafeFileWriter.Open("/dev/null", new SafeFileWriterOptions { FlushToDisk = true });
        await using (writer)
        {
            await writer.WriteAsync("{\"a\":1}\n"u8.ToArray());
            writer.Commit();
        }

        Assert.True(FileIdentity.IsSpecialFile("/dev/null"));
        Assert.Equal("/dev/null", writer.WritingPath);
        Assert.Equal(before, Directory.EnumerateFiles("/dev", ".null*"));                // no lock or temporary file beside it
    }

    [Fact]
    public void CheckPath_AFileStandsWhereAFolderMustBe_ThrowsAndCreatesNothing()
    {
        File.WriteAllText(Path.Combine(_dir, "blocker"), "x");

        var error = Assert.Throws<IOException>(() => SafeFileWriter.CheckPath(Path.Combine(_dir, "blocker", "sub", "out.jsonl")));

        Assert.Contains($"'{Path.Combine(_dir, "blocker")}' is a file", error.Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(_dir, "new", "out.jsonl"), SafeFileWriter.CheckPath(Path.Combine(_dir, "new", "out.jsonl")));
        Assert.False(Directory.Exists(Path.Combine(_dir, "new")));
    }

    /// <summary>Holds the map's worker at record <paramref name="id"/> until the test opens the gate (the only blocked thread).</summary>
    private static Record<ReadOnlyMemory<byte>> Hold(Record<ReadOnlyMemory<byte>> record, int id, TaskCompletionSource reached, ManualResetEventSlim gate)
    {
        if (record.Value.Span.SequenceEqual(Encoding.UTF8.GetBytes($"{{\"id\":{id}}}")))
        {
            reached.TrySetResult();
            gate.Wait(Guard);
        }

        return record;
    }

    private static long OffsetOfLine(int id) => Enumerable.Range(0, id).Sum(i => Encoding.UTF8.GetByteCount($"{{\"id\":{i}}}\n"));

    private void WriteInput(int from, int count) =>
        File.WriteAllText(Input, string.Concat(Enumerable.Range(from, count).Select(i => $"{{\"id\":{i}}}\n")));
}
