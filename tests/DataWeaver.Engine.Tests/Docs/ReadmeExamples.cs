using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;

namespace DataWeaver.Tests.Docs;

// snippet: readme-connectors
public class CustomSourceConnector : SourceConnector<string>
{
    public override async IAsyncEnumerable<string> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var word in new[] { "weave", "the", "data" })
        {
            yield return word;                                   // read()
        }

        await Task.CompletedTask;
    }

    public override string Process(string message) => message.ToUpperInvariant();   // process()
}

public class CustomSinkConnector : SinkConnector<string>
{
    public List<string> Written { get; } = [];

    public override ValueTask WriteAsync(ReadOnlyMemory<string> batch, CancellationToken cancellationToken = default)
    {
        Written.AddRange(batch.Span);                            // write(), a batch at a time
        return ValueTask.CompletedTask;
    }
}
// end snippet

/// <summary>The README's fluent example, run as a test.</summary>
public sealed class ReadmeExamples
{
    public sealed record Order(int Id, decimal Amount);

    [Fact]
    public async Task ReadmeFluent_RunsAndWritesTheBigOrders()
    {
        var output = new StringWriter();
        Console.SetOut(output);
        try
        {
            // snippet: readme-fluent
            var orders = new CollectionSource<Order>(SampleOrders());   // any SourceConnector<T>
            var big = new CollectionSink<string>();                      // any SinkConnector<T>

            var pipeline = Pipeline.From(orders)
                .Filter(o => o.Amount >= 100)           // map, filter, flat-map: fused into one block
                .Parallel(4)                            // a new block with 4 workers; output stays in order
                .Map(o => $"{o.Id}:{o.Amount * 1.2m}")
                .Batch(500, TimeSpan.FromMilliseconds(50)) // the sink gets batches of 500, or what came in 50 ms
                .To(big)
                .Build();                               // validated and immutable

            Console.WriteLine(pipeline.Describe().ToText()); // the compiled block graph
            await pipeline.RunAsync();
            // end snippet

            var expected = SampleOrders().Where(o => o.Amount >= 100).Select(o => $"{o.Id}:{o.Amount * 1.2m}");
            Assert.Equal(expected, big.Records);
            Assert.Contains("transform 'parallel2': map3", output.ToString(), StringComparison.Ordinal);
        }
        finally
        {
            Console.SetOut(new StreamWriter(Console.OpenStandardOutput()) { AutoFlush = true });
        }
    }

    [Fact]
    public async Task ReadmeConnectorPipeline_CustomConnectors_ProcessesAndWritesEveryRecord()
    {
        // snippet: readme-connector-pipeline
        var source = new CustomSourceConnector();
        var sink = new CustomSinkConnector();
        var pipeline = new ConnectorPipeline<string>(source, sink);
        pipeline.Start();
        await pipeline.Completion;
        // end snippet

        Assert.Equal(["WEAVE", "THE", "DATA"], sink.Written);
    }

    private static Order[] SampleOrders() => [.. Enumerable.Range(0, 10_000).Select(i => new Order(i, i % 250))];
}
