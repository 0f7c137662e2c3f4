using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Docs;

/// <summary>The examples of docs/error-handling.md, run as tests.</summary>
public sealed class ErrorHandlingDocsExamples : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("dw-errdocs-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    public sealed record Order(long Id, decimal Amount);

    [Fact]
    public async Task PerStagePolicies_Example_DeadLettersBadLinesAndRetriesTheSink()
    {
        var input = Path.Combine(_dir, "orders.jsonl");
        var deadLetterPath = Path.Combine(_dir, "dead-letters.jsonl");
        await File.WriteAllLinesAsync(input, ["{\"id\":1,\"amount\":10}", "{\"id\":2,\"amount\":", "{\"id\":3,\"amount\":30}"]);
        var sink = new CollectionSink<Order>();

        // snippet: errors-per-stage
        var decode = new JsonRecordDeserializer<Order>();
        var deadLetters = new JsonLinesSink<DeadLetter>(deadLetterPath, new DeadLetterJsonSerializer());

        var pipeline = Pipeline.From(new JsonLinesSource(input))
            .OnError(e => e.DeadLetterTo(deadLetters))                 // lines the source rejects (too long)
            .Map(line => decode.Deserialize(line.Value.Span), "decode")
            .OnError(e => e.DeadLetterTo(deadLetters))                 // malformed JSON: a data error
            .To(sink)
            .OnError(e => e
                .Retry(5, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(5))   // transient write errors
                .Timeout(TimeSpan.FromSeconds(30))
                .CircuitBreaker(failureRatio: 0.5, minimumThroughput: 20)
                .DeadLetterTo(deadLetters))                            // rows the sink rejects
            .Build();
        var run = pipeline.Start();
        await run.Completion;
        Console.WriteLine($"dead-lettered {run.Statistics.RecordsDeadLettered}, retried {run.Statistics.Retries}");
        // end snippet

        Assert.Equal([1L, 3L], sink.Records.Select(o => o.Id));
        var letter = Assert.Single(await File.ReadAllLinesAsync(deadLetterPath));
        Assert.Contains("\"stage\":\"decode\"", letter, StringComparison.Ordinal);
        Assert.Contains("\"offset\":21", letter, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PipelineDefault_Example_SkipsUnknownErrorsClassifiedAsData()
    {
        var sink = new CollectionSink<int>();

        // snippet: errors-defaults
        var options = new PipelineOptions
        {
            ErrorPolicy = ErrorPolicy.Create().Retry(3).Skip().Build(),   // every stage without OnError
            ClassifyError = e => e switch
            {
                FormatException => ErrorClass.Data,
                HttpRequestException => ErrorClass.Transient,
                _ => null,                                             // the defaults decide
            },
        };

        var run = Pipeline.From(new CollectionSource<string>(["1", "two", "3"]), options)
            .Map(int.Parse)
            .To(sink)
            .Build()
            .Start();
        await run.Completion;
        // end snippet

        Assert.Equal([1, 3], sink.Records);
        Assert.Equal(1, run.Statistics.RecordsSkipped);
    }
}
