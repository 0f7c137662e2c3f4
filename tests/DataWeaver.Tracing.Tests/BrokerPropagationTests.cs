using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Http;
using DataWeaver.Nats;
using DataWeaver.Pipelines;
using DataWeaver.RabbitMq;
using DataWeaver.Records;
using DataWeaver.Tracing.Tests.Support;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace DataWeaver.Tracing.Tests;

/// <summary>
/// The trace context carried by RabbitMQ (AMQP headers), NATS (message headers) and HTTP (request headers, client sink to
/// server source): the servers of eng/services (RabbitMQ on 5672, NATS on 4222); the HTTP server is the source's own Kestrel.
/// </summary>
public sealed class BrokerPropagationTests
{
    private const int Total = 500;

    [Fact]
    public async Task RabbitMqSinkToRabbitMqSource_RecordsWithUpstreamContext_OneTraceThroughBothPipelines()
    {
        var queue = TestRecords.Unique("dw-trace");
        var connection = new RabbitMqConnectionOptions { HostName = "127.0.0.1", OperationTimeout = TimeSpan.FromSeconds(10) };
        await RunTwoPipelinesAsync(
            () => Task.FromResult<SinkConnector<Record<ReadOnlyMemory<byte>>>>(new RabbitMqSink(new RabbitMqSinkOptions { Connection = connection, RoutingKey = queue, DeclareQueue = queue })),
            () => new RabbitMqSource(new RabbitMqSourceOptions { Connection = connection, Queue = queue, DeclareQueue = true }),
            startSecondFirst: false);
    }

    [Fact]
    public async Task NatsSinkToNatsSource_RecordsWithUpstreamContext_OneTraceThroughBothPipelines()
    {
        var stream = TestRecords.Unique("DW_TRACE");
        await using var client = new NatsConnection(new NatsOpts { Url = "nats://127.0.0.1:4222" });
        var jetStream = new NatsJSContext(client);
        await jetStream.CreateStreamAsync(new StreamConfig(stream, [stream + ".in"]));
        await using var nats = new NatsStreamFramework(new NatsStreamOptions { Url = "nats://127.0.0.1:4222", OperationTimeout = TimeSpan.FromSeconds(10) });
        await nats.StartAsync();
        try
        {
            await RunTwoPipelinesAsync(
                () => Task.FromResult<SinkConnector<Record<ReadOnlyMemory<byte>>>>(new NatsSink(nats, new NatsSinkOptions { Subject = stream + ".in" })),
                () => new NatsSource(nats, new NatsSourceOptions { Stream = stream }),
                startSecondFirst: false);
        }
        finally
        {
            await jetStream.DeleteStreamAsync(stream);
        }
    }

    [Fact]
    public async Task HttpSinkToHttpServerSource_RecordsWithUpstreamContext_OneTraceThroughBothPipelines()
    {
        var server = new HttpServerSource(new HttpServerSourceOptions { Listen = "http://127.0.0.1:0", Path = "/in" });
        await RunTwoPipelinesAsync(
            async () => new HttpSink(new HttpSinkOptions { Url = new Uri(await AddressAsync(server), "in").AbsoluteUri, MaxBatchRecords = 20 }),
            () => server,
            startSecondFirst: true); // the server source listens before the sink posts
    }

    /// <summary>
    /// The first pipeline reads records carrying an upstream context, passes them through a stage and writes them with
    /// the sink in batches of 50; the second reads them back with the source and collects them.
    /// </summary>
    private static async Task RunTwoPipelinesAsync(
        Func<Task<SinkConnector<Record<ReadOnlyMemory<byte>>>>> sink,
        Func<SourceConnector<Record<ReadOnlyMemory<byte>>>> source,
        bool startSecondFirst)
    {
        using var spans = new SpanRecorder();
        var upstream = TestRecords.UpstreamContext();
        var first = TestRecords.Unique("relay");
        var second = TestRecords.Unique("consume");
        var arrived = new CollectionSink<Record<ReadOnlyMemory<byte>>>();
        PipelineRun? consume = null;
        if (startSecondFirst)
        {
            consume = Start(source(), second, arrived);
        }

        var records = Enumerable.Range(0, Total).Select(i => TestRecords.Record(i, TestRecords.Headers(upstream))).ToArray();
        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { Name = first, BatchSize = 50 })
            .Map(r => r, "enrich")
            .To(await sink())
            .Build()
            .RunAsync()
            .WaitAsync(TestRecords.Guard);
        await spans.WaitForBatchesAsync(first, Total);

        consume ??= Start(source(), second, arrived);
        await spans.WaitForBatchesAsync(second, Total);
        await consume.StopAsync();

        Assert.Equal(Total, arrived.Count);
        TraceAssert.FollowedThroughTwoPipelines(spans, upstream, first, second, [.. arrived.Records.Select(r => r.Headers)]);
    }

    private static PipelineRun Start(SourceConnector<Record<ReadOnlyMemory<byte>>> source, string name, CollectionSink<Record<ReadOnlyMemory<byte>>> sink) =>
        Pipeline.From(source, new PipelineOptions { Name = name, BatchSize = Total }).To(sink).Build().Start();

    private static async Task<Uri> AddressAsync(HttpServerSource source)
    {
        for (var i = 0; i < 3000 && source.Address is null; i++)
        {
            await Task.Delay(5);
        }

        return source.Address ?? throw new TimeoutException("The server did not start.");
    }
}
