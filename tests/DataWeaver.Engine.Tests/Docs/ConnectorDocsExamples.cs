using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Generator;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Docs;

// snippet: connectors-source
/// <summary>Reads the lines of a text, numbered from 1, and trims them on the way in.</summary>
public sealed class LinesSource(string text) : SourceConnector<string>("lines")
{
    public override async IAsyncEnumerable<string> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = new StringReader(text);
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            yield return line;                            // read: one record at a time
        }
    }

    public override string Process(string message) => message.Trim();   // optional: each record on its way in
}
// end snippet

// snippet: connectors-sink
/// <summary>Prints batches; a write that completes acknowledges the batch.</summary>
public sealed class PrintSink(TextWriter output) : SinkConnector<string>("print")
{
    public override async ValueTask WriteAsync(ReadOnlyMemory<string> batch, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < batch.Length; i++)
        {
            await output.WriteLineAsync(batch.Span[i]);   // write: a batch at a time
        }
    }
}
// end snippet

// snippet: connectors-deferred-ack
/// <summary>Hands batches to a background writer and acknowledges each once it is durable.</summary>
public sealed class QueueSink : SinkConnector<int>
{
    private readonly BlockingCollection<(int[] Records, SinkAcknowledgement Ack)> _queue = new(boundedCapacity: 8);

    public QueueSink() : base("queue") =>
        Writer = Task.Run(() =>
        {
            foreach (var (records, ack) in _queue.GetConsumingEnumerable())
            {
                Durable.AddRange(records);                // "durably written"
                ack.Acknowledge();                        // only now may the source commit past these records
            }
        });

    public List<int> Durable { get; } = [];

    public Task Writer { get; }

    public override ValueTask WriteBatchAsync(ReadOnlyMemory<int> batch, SinkAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
    {
        _queue.Add((batch.ToArray(), acknowledgement), cancellationToken);
        return ValueTask.CompletedTask;                   // ready for the next batch before this one is durable
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<int> batch, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("WriteBatchAsync is overridden.");

    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        _queue.CompleteAdding();
        await Writer.WaitAsync(cancellationToken);
    }
}
// end snippet

// snippet: connectors-queue-reader
/// <summary>A source the application pushes lines into: each push is a chunk the reader hands to the pipeline.</summary>
public sealed class PushedLinesSource() : SourceConnector<string>("pushed")
{
    private readonly Channel<Pushed> _queue = Channel.CreateUnbounded<Pushed>();
    private long _next;

    public void Push(params string[] lines) => _queue.Writer.TryWrite(new Pushed(lines));

    public void Complete() => _queue.Writer.Complete(); // the source ends once the queue is empty

    public override IAsyncEnumerable<string> ReadAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Reads through its reader.");

    public override SourceReader<string> CreateReader() => new Reader(this);

    private sealed class Pushed(string[] lines)
    {
        public string[] Lines { get; } = lines;

        public int Handed { get; set; }
    }

    private sealed class Reader(PushedLinesSource source) : QueueSourceReader<string, Pushed>(source._queue.Reader)
    {
        protected override int Remaining(Pushed chunk) => chunk.Lines.Length - chunk.Handed;

        protected override void AddRecords(SourceBuffer<string> buffer, Pushed chunk, int count)
        {
            for (var i = 0; i < count; i++)
            {
                buffer.Add(chunk.Lines[chunk.Handed++], new SourcePosition(0, ++source._next));
            }
        }
    }
}
// end snippet

/// <summary>The examples of docs/connectors.md, run as tests.</summary>
public sealed class ConnectorDocsExamples : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dw-docs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public async Task CustomSourceAndSink_Example_ProcessesAndPrints()
    {
        var output = new StringWriter();

        // snippet: connectors-custom-usage
        var pipeline = Pipeline.From(new LinesSource("  alpha \n beta\ngamma  "))
            .Map(line => line.ToUpperInvariant())
            .To(new PrintSink(output))
            .Build();
        await pipeline.RunAsync();
        // end snippet

        Assert.Equal("ALPHA\nBETA\nGAMMA\n", output.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
        Assert.Equal(["process", "map1"], Assert.Single(pipeline.Describe().TransformBlocks).Operators);
    }

    [Fact]
    public async Task QueueReader_Example_HandsOverEveryPushInOrder()
    {
        var source = new PushedLinesSource();
        var sink = new CollectionSink<string>();
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 2 }).To(sink).Build().Start();

        source.Push("a", "b", "c");
        source.Push("d");
        source.Push("e", "f");
        source.Complete();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(["a", "b", "c", "d", "e", "f"], sink.Records);
    }

    [Fact]
    public async Task DeferredAcknowledgement_Example_CommitsOnlyDurableRecords()
    {
        var sink = new QueueSink();
        var source = new CollectionSource<int>([.. Enumerable.Range(0, 10_000)]);

        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 100 }).To(sink).Build().Start();
        await run.Completion;

        Assert.Equal(Enumerable.Range(0, 10_000), sink.Durable);
        Assert.Equal(10_000, source.Committed);
    }

    [Fact]
    public async Task JsonLines_Example_FiltersAFile()
    {
        var input = Path.Combine(_dir, "events.jsonl");
        var output = Path.Combine(_dir, "errors.jsonl");
        await File.WriteAllLinesAsync(input, ["{\"level\":\"info\",\"msg\":\"up\"}", "{\"level\":\"error\",\"msg\":\"disk\"}"]);

        // snippet: connectors-jsonl
        var decode = new JsonRecordDeserializer<LogEvent>();
        var pipeline = Pipeline.From(new JsonLinesSource(input))
            .Map(line => decode.Deserialize(line.Value.Span))
            .Filter(e => e.Level == "error")
            .To(new JsonLinesSink<LogEvent>(output, new JsonRecordSerializer<LogEvent>()))
            .Build();
        await pipeline.RunAsync();
        // end snippet

        Assert.Equal(["{\"level\":\"error\",\"msg\":\"disk\"}"], await File.ReadAllLinesAsync(output));
    }

    [Fact]
    public async Task Generator_Example_ProducesACountAtARate()
    {
        var sink = new CollectionSink<string>();

        // snippet: connectors-generator
        var source = new GeneratorSource<string>(
            n => $"event-{n}",
            new GeneratorOptions { Count = 1_000, RecordsPerSecond = 50_000 });
        await Pipeline.From(source).To(sink).Build().RunAsync();
        // end snippet

        Assert.Equal(Enumerable.Range(0, 1_000).Select(n => $"event-{n}"), sink.Records);
    }

    public sealed record LogEvent(string Level, string Msg);
}
