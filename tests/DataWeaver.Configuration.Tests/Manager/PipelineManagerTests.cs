using System.Collections.Concurrent;
using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Tests.Manager;

public sealed class PipelineManagerTests
{
    private const string TwoPipelines = """
        version: 1
        pipelines:
          - name: endless
            source:
              type: generator
              settings:
                fields: { id: { number: {} } }
            batch: { size: 64 }
            sinks: [{ type: json-lines-file, settings: { path: endless.jsonl } }]
          - name: ticker
            source:
              type: generator
              settings:
                fields: { n: { number: {} } }
            batch: { size: 64 }
            sinks: [{ type: discard }]
        """;

    [Fact]
    public async Task StopPipelineAsync_TwoRunning_DrainsOneAndTheOtherKeepsRunning()
    {
        using var folder = new TestFolder();
        var path = folder.File("two.yaml");
        await File.WriteAllTextAsync(path, TwoPipelines);
        await using var manager = new PipelineManager(new PipelineManagerOptions { Factory = new PipelineFactoryOptions { BaseDirectory = folder.Path } });
        ConcurrentQueue<string> changes = [];
        manager.StateChanged += (_, e) => changes.Enqueue($"{e.Name}: {e.Previous} -> {e.Current}");
        manager.LoadFile(path);

        var endless = manager.StartPipeline("endless");
        var ticker = manager.StartPipeline("ticker");
        await WaitUntilAsync(() => endless.Statistics.RecordsWritten > 1000 && ticker.Statistics.RecordsWritten > 1000);
        await manager.StopPipelineAsync("endless");
        var tickedAfterStop = ticker.Statistics.RecordsWritten;
        await WaitUntilAsync(() => ticker.Statistics.RecordsWritten > tickedAfterStop + 1000);

        Assert.Equal(PipelineState.Stopped, manager["endless"].State);
        Assert.Equal(PipelineState.Running, manager["ticker"].State);
        Assert.Null(manager["endless"].CurrentRun);
        Assert.Same(ticker, manager["ticker"].CurrentRun);
        var written = folder.Lines("endless.jsonl");
        Assert.Equal(endless.Statistics.RecordsRead, written.Length); // the drain delivered every record read
        Assert.Equal(Enumerable.Range(0, written.Length).Select(i => $"{{\"id\":{i}}}"), written);
        Assert.Equal(["endless: Created -> Running", "ticker: Created -> Running", "endless: Running -> Draining", "endless: Draining -> Stopped"], changes);

        await manager.StopPipelineAsync("ticker");
        Assert.Equal(PipelineState.Stopped, manager["ticker"].State);
        Assert.Equal(["endless", "ticker"], manager.Pipelines.Select(p => p.Name));
    }

    [Fact]
    public async Task StartPipeline_AfterItCompleted_RunsAgain()
    {
        await using var manager = new PipelineManager();
        var sink = new CollectionSink<JsonRecord>();
        manager.CreatePipeline("again", new CollectionSource<JsonRecord>([JsonRecord.Parse("""{"a":1}""")]), sink);

        await manager.StartPipeline("again").Completion;
        Assert.Throws<InvalidOperationException>(() => manager.CreatePipeline("again", new CollectionSource<JsonRecord>([]), sink));
        await manager.StartPipeline("again").Completion;

        Assert.Equal(2, sink.Count);
        Assert.Equal(PipelineState.Completed, manager["again"].State);
        Assert.NotNull(manager["again"].EndedAt);
    }

    [Fact]
    public async Task StartPipeline_WhileRunning_Throws()
    {
        await using var manager = new PipelineManager();
        manager.CreatePipeline("slow", new CollectionSource<JsonRecord>([JsonRecord.Parse("""{"a":1}""")]), new BlockingSink());

        manager.StartPipeline("slow");

        Assert.Throws<InvalidOperationException>(() => manager.StartPipeline("slow"));
        manager.AbortPipeline("slow");
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => manager["slow"].LastRun!.Completion);
        Assert.Equal(PipelineState.Aborted, manager["slow"].State);
    }

    [Fact]
    public async Task CreateConnector_ByTypeName_BuildsARunnablePipeline()
    {
        using var folder = new TestFolder();
        await using var manager = new PipelineManager(new PipelineManagerOptions { Factory = new PipelineFactoryOptions { BaseDirectory = folder.Path } });

        var source = manager.CreateConnector(ConnectorRole.Source, "memory", new Dictionary<string, object?>
        {
            ["records"] = new[] { new Dictionary<string, object?> { ["id"] = 1, ["tags"] = new[] { "a", "b" } }, new Dictionary<string, object?> { ["id"] = 2.5 } },
        });
        var sink = manager.CreateConnector(ConnectorRole.Sink, "json-lines-file", new Dictionary<string, object?> { ["path"] = "out/copy.jsonl" }, name: "copy");
        manager.CreatePipeline("copy", source, sink);
        await manager.StartPipeline("copy").Completion;

        Assert.IsAssignableFrom<SourceConnector<JsonRecord>>(source);
        Assert.Equal("copy", sink.Name);
        Assert.Equal(["""{"id":1,"tags":["a","b"]}""", """{"id":2.5}"""], folder.Lines("out/copy.jsonl"));
    }

    [Fact]
    public async Task CreateConnector_BadSettings_ListsEveryProblem()
    {
        await using var manager = new PipelineManager();

        var exception = Assert.Throws<PipelineDefinitionException>(() => manager.CreateConnector(ConnectorRole.Sink, "json-lines-file", new Dictionary<string, object?> { ["pth"] = "x", ["append"] = "maybe" }));

        Assert.Equal(
            ["connector.settings.append: Setting 'append' must be true or false; found 'maybe'.", "connector.settings.path: The sink 'json-lines-file' needs the setting 'path': The file to write (folders are created).", "connector.settings.pth: The sink 'json-lines-file' has no setting 'pth' (did you mean 'path'?)."],
            exception.Errors.Select(e => $"{e.Path}: {e.Message}").Order(StringComparer.Ordinal));
        Assert.Throws<PipelineDefinitionException>(() => manager.CreateConnector(ConnectorRole.Source, "kafka"));
    }

    [Fact]
    public async Task CreatePipeline_PayloadConnectors_DecodeAndEncodeJson()
    {
        using var folder = new TestFolder();
        await File.WriteAllLinesAsync(folder.File("in.jsonl"), ["""{"a":1}""", """{"a":2}"""]);
        await using var manager = new PipelineManager(new PipelineManagerOptions { Factory = new PipelineFactoryOptions { BaseDirectory = folder.Path } });
        var source = manager.CreateConnector(ConnectorRole.Source, "json-lines-file", new Dictionary<string, object?> { ["path"] = "in.jsonl" });
        var sink = manager.CreateConnector(ConnectorRole.Sink, "json-lines-file", new Dictionary<string, object?> { ["path"] = "out.jsonl" });

        manager.CreatePipeline("files", source, sink);
        await manager.StartPipeline("files").Completion;

        Assert.Equal(["""{"a":1}""", """{"a":2}"""], folder.Lines("out.jsonl"));
    }

    [Fact]
    public async Task DisposeAsync_RunningPipelines_DrainsThem()
    {
        using var folder = new TestFolder();
        var path = folder.File("two.yaml");
        await File.WriteAllTextAsync(path, TwoPipelines);
        PipelineRun run;
        ManagedPipeline endless;
        await using (var manager = new PipelineManager(new PipelineManagerOptions { Factory = new PipelineFactoryOptions { BaseDirectory = folder.Path } }))
        {
            manager.LoadFile(path);
            endless = manager["endless"];
            run = manager.StartPipeline("endless");
            await WaitUntilAsync(() => run.Statistics.RecordsWritten > 100);
        }

        Assert.Equal(PipelineState.Stopped, endless.State);
        Assert.Equal(run.Statistics.RecordsRead, folder.Lines("endless.jsonl").Length);
    }

    [Fact]
    public async Task RemovePipelineAsync_Managed_StopsAndForgetsIt()
    {
        await using var manager = new PipelineManager();
        manager.CreatePipeline(Pipeline.From(new CollectionSource<int>([1, 2]), new PipelineOptions { Name = "ints" }).To(new CollectionSink<int>()).Build());

        Assert.True(await manager.RemovePipelineAsync("ints"));
        Assert.False(await manager.RemovePipelineAsync("ints"));
        Assert.Empty(manager.Pipelines);
        Assert.Throws<KeyNotFoundException>(() => manager.StartPipeline("ints"));
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(5, deadline.Token); // a safety deadline, not a measurement
        }
    }

    private sealed class BlockingSink() : SinkConnector<JsonRecord>("blocking")
    {
        public override async ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken = default) =>
            await Task.Delay(Timeout.Infinite, cancellationToken);
    }
}
