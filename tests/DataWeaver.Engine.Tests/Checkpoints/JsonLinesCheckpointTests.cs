using System.Text;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Hosting;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Records;

namespace DataWeaver.Tests.Checkpoints;

/// <summary>JsonLinesSource with a checkpoint store, JsonLinesSink's crash recovery, and the examples of docs/checkpoints.md and docs/shutdown.md.</summary>
public sealed class JsonLinesCheckpointTests : IDisposable
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dw-jsonl-ckpt-" + Guid.NewGuid().ToString("N"));

    public JsonLinesCheckpointTests() => Directory.CreateDirectory(_directory);

    private string Input => Path.Combine(_directory, "input.jsonl");

    private string Output => Path.Combine(_directory, "output.jsonl");

    private string Checkpoints => Path.Combine(_directory, "checkpoints");

    [Fact]
    public async Task JsonLinesSource_WithCheckpointStore_SecondRunResumesAfterTheFirstRunsCommit()
    {
        WriteInput(0, 100);
        var store = new FileCheckpointStore(Checkpoints);
        var first = new CollectionSink<string>();
        await Pipeline.From(new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = store }))
            .Map(r => Encoding.UTF8.GetString(r.Value.Span))
            .To(first)
            .Build()
            .RunAsync()
            .WaitAsync(Guard);

        File.AppendAllText(Input, string.Concat(Enumerable.Range(100, 5).Select(i => $"{{\"id\":{i}}}\n")));
        var second = new CollectionSink<string>();
        var source = new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = store, StartOffset = 0 });
        await Pipeline.From(source).Map(r => Encoding.UTF8.GetString(r.Value.Span)).To(second).Build().RunAsync().WaitAsync(Guard);

        Assert.Equal(100, first.Records.Count);
        Assert.Equal(Enumerable.Range(100, 5).Select(i => $"{{\"id\":{i}}}"), second.Records);
        Assert.Equal(new FileInfo(Input).Length, source.CommittedOffset);
        var saved = await store.LoadAsync(JsonLinesSource.DefaultCheckpointKey(Input));
        Assert.Equal(new SourcePosition(0, new FileInfo(Input).Length), saved![0]); // then the file's identity (partitions 1-4)
        Assert.Equal([0, 1, 2, 3, 4], saved.Select(p => p.Partition));
    }

    [Fact]
    public async Task JsonLinesSource_NoCheckpointYet_StartsAtStartOffset()
    {
        var offset = WriteInput(0, 10)[4];
        var sink = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        var source = new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = new InMemoryCheckpointStore(), StartOffset = offset });

        await Pipeline.From(source).Map(r => r.WithValue<ReadOnlyMemory<byte>>(r.Value.ToArray())).To(sink).Build().RunAsync().WaitAsync(Guard);

        Assert.Equal(5, sink.Records.Count);
        Assert.Equal(offset, source.ReadStartOffset);
    }

    [Fact]
    public async Task JsonLinesSource_CheckpointBeyondTheEndOfTheFile_FailsWithCheckpointException()
    {
        WriteInput(0, 10);
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync("input", [new SourcePosition(0, 1_000_000)]);
        var source = new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = store, CheckpointKey = "input" });

        var error = await Assert.ThrowsAsync<CheckpointException>(() =>
            Pipeline.From(source).To(new CollectionSink<Record<ReadOnlyMemory<byte>>>()).Build().RunAsync().WaitAsync(Guard));

        Assert.Equal(Input, error.Path);
        Assert.Contains("beyond the end", error.Message, StringComparison.Ordinal);
        Assert.Contains("1000000", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonLinesSource_CheckpointInsideALine_FailsWithCheckpointException()
    {
        WriteInput(0, 10);
        var store = new InMemoryCheckpointStore();
        await store.SaveAsync("input", [new SourcePosition(0, 3)]);
        var source = new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = store, CheckpointKey = "input" });

        var error = await Assert.ThrowsAsync<CheckpointException>(() =>
            Pipeline.From(source).To(new CollectionSink<Record<ReadOnlyMemory<byte>>>()).Build().RunAsync().WaitAsync(Guard));
        Assert.Contains("not the start of a line", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task JsonLinesSource_CorruptCheckpointFile_FailsNamingTheCheckpointFile()
    {
        WriteInput(0, 10);
        var store = new FileCheckpointStore(Checkpoints);
        Directory.CreateDirectory(Checkpoints);
        var key = JsonLinesSource.DefaultCheckpointKey(Input);
        File.WriteAllText(store.GetPath(key), "{ not json");

        var error = await Assert.ThrowsAsync<CheckpointException>(() =>
            Pipeline.From(new JsonLinesSource(Input, new JsonLinesSourceOptions { CheckpointStore = store }))
                .To(new CollectionSink<Record<ReadOnlyMemory<byte>>>()).Build().RunAsync().WaitAsync(Guard));
        Assert.Equal(store.GetPath(key), error.Path);
    }

    [Fact]
    public async Task JsonLinesSink_AppendAfterACrashMidLine_CutsTheIncompleteLineAndAppendsAfterIt()
    {
        File.WriteAllText(Output, "{\"id\":0}\n{\"id\":1}\n{\"id\":2,\"na");   // killed in the middle of writing record 2
        var sink = JsonLinesSink.Raw(Output, new JsonLinesSinkOptions { Append = true });

        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([Line("{\"id\":2}"), Line("{\"id\":3}")]))
            .To(sink).Build().RunAsync().WaitAsync(Guard);

        Assert.Equal(11, sink.TruncatedBytes);
        Assert.Equal("{\"id\":0}\n{\"id\":1}\n{\"id\":2}\n{\"id\":3}\n", File.ReadAllText(Output));
    }

    [Theory]
    [InlineData("{\"id\":0}\n", 0)]
    [InlineData("", 0)]
    [InlineData("{\"id\":0,\"no line end at all", 27)]
    public async Task JsonLinesSink_AppendOpen_CutsOnlyAnIncompleteLastLine(string existing, long cut)
    {
        File.WriteAllText(Output, existing);
        var sink = JsonLinesSink.Raw(Output, new JsonLinesSinkOptions { Append = true });

        await sink.OpenAsync();
        await sink.CloseAsync();

        Assert.Equal(cut, sink.TruncatedBytes);
        Assert.Equal(existing.Length - cut, new FileInfo(Output).Length);
    }

    [Fact]
    public async Task JsonLinesSink_AppendOpen_LongIncompleteLineSpanningChunks_IsCut()
    {
        var complete = string.Concat(Enumerable.Range(0, 1000).Select(i => $"{{\"id\":{i}}}\n"));
        File.WriteAllText(Output, complete + new string('x', 200_000));
        var sink = JsonLinesSink.Raw(Output, new JsonLinesSinkOptions { Append = true });

        await sink.OpenAsync();
        await sink.CloseAsync();

        Assert.Equal(200_000, sink.TruncatedBytes);
        Assert.Equal(complete, File.ReadAllText(Output));
    }

    [Fact]
    public async Task Docs_CheckpointedFilePipeline_ResumesAcrossRuns()
    {
        WriteInput(0, 1000);
        var input = Input;
        var output = Output;
        var checkpointFolder = Checkpoints;

        for (var run = 0; run < 2; run++)
        {
            // snippet: checkpoints-jsonl
            var checkpoints = new FileCheckpointStore(checkpointFolder);
            var source = new JsonLinesSource(input, new JsonLinesSourceOptions { CheckpointStore = checkpoints });
            var sink = JsonLinesSink.Raw(output, new JsonLinesSinkOptions { Append = true });
            var pipeline = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero })
                .To(sink)
                .Build();
            await pipeline.RunAsync();
            // end snippet
        }

        Assert.Equal(File.ReadAllText(Input), File.ReadAllText(Output));   // the second run read nothing again
    }

    [Fact]
    public async Task Docs_CheckpointStoreByHand_SavesAndLoads()
    {
        var folder = Checkpoints;

        // snippet: checkpoints-store
        var store = new FileCheckpointStore(folder);
        await store.SaveAsync("orders", [new SourcePosition(0, 4096)]);

        var positions = await store.LoadAsync("orders");        // null if nothing was saved
        Console.WriteLine($"resume at {positions![0]}; file {store.GetPath("orders")}");
        // end snippet

        Assert.Equal(4096, positions[0].Offset);
    }

    [Fact]
    public async Task Docs_RunUntilSignal_CompletesWhenTheSourceRunsOut()
    {
        WriteInput(0, 100);
        var input = Input;
        var output = Output;
        var checkpointFolder = Checkpoints;

        // snippet: shutdown-cli
        var pipeline = Pipeline.From(
                new JsonLinesSource(input, new JsonLinesSourceOptions { CheckpointStore = new FileCheckpointStore(checkpointFolder) }),
                new PipelineOptions { CommitInterval = TimeSpan.Zero })
            .To(JsonLinesSink.Raw(output, new JsonLinesSinkOptions { Append = true }))
            .Build();

        // SIGTERM, Ctrl+C or SIGQUIT: drain for up to 30 s, then abort; a second signal aborts at once.
        var state = await PipelineShutdown.RunUntilSignalAsync(pipeline, drainTimeout: TimeSpan.FromSeconds(30));
        var exitCode = state is PipelineState.Completed or PipelineState.Stopped ? 0 : 1;
        // end snippet

        Assert.Equal(0, exitCode);
        Assert.Equal(File.ReadAllText(Input), File.ReadAllText(Output));
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Record<ReadOnlyMemory<byte>> Line(string text) =>
        new(ReadOnlyMemory<byte>.Empty, Encoding.UTF8.GetBytes(text), null, default, default);

    /// <summary>Writes lines <c>{"id":N}</c> and returns each line's end offset.</summary>
    private long[] WriteInput(int from, int count)
    {
        var ends = new long[count];
        var text = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            text.Append($"{{\"id\":{from + i}}}\n");
            ends[i] = text.Length;
        }

        File.WriteAllText(Input, text.ToString());
        return ends;
    }
}
