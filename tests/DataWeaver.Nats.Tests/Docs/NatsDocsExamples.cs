using DataWeaver.Nats.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Testing.Contracts;
using NATS.Client.JetStream.Models;

namespace DataWeaver.Nats.Tests.Docs;

/// <summary>The C# snippets of docs/nats.md, run.</summary>
public sealed class NatsDocsExamples : IAsyncLifetime
{
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task SourceToSink_Example_RelaysEveryMessageOnce()
    {
        var url = _server.Url;
        await using (var setup = await _server.FrameworkAsync())
        {
            await setup.JetStream.CreateStreamAsync(new StreamConfig("ORDERS", ["orders.>"]));
            await setup.JetStream.CreateStreamAsync(new StreamConfig("BIG_ORDERS", ["big-orders"]));
            await setup.PublishBatchAsync(100, _ => "orders.created", i => NatsServer.Json(i), _ => null, "ORDERS", default);
        }

        // snippet: nats-source-sink
        await using var nats = new NatsStreamFramework(new NatsStreamOptions { Url = url, MaxAckPending = 1024 });
        await nats.StartAsync();

        var options = new PipelineOptions { MaxInFlightRecords = 1024 };   // = MaxAckPending: the server holds back the rest
        var source = new NatsSource(nats, new NatsSourceOptions { Stream = "ORDERS", FilterSubject = "orders.created", Durable = "relay" });
        var sink = new NatsSink(nats, new NatsSinkOptions { Subject = "big-orders", MessageIds = NatsMessageIds.SourcePosition });
        var run = Pipeline.From(source, options).To(sink).Build().Start();
        // end snippet

        var probe = new SequenceProbeSink<Record<ReadOnlyMemory<byte>>>(r => NatsServer.Id(r.Value.Span));
        var check = Pipeline.From(new NatsSource(nats, new NatsSourceOptions { Stream = "BIG_ORDERS", Durable = "check" })).To(probe).Build().Start();
        await SequenceProbeSink<Record<ReadOnlyMemory<byte>>>.WaitUntilAsync(() => probe.Count >= 100, check.Completion, TimeSpan.FromSeconds(60));
        run.RequestStop();
        check.RequestStop();
        await Task.WhenAll(run.Completion, check.Completion);
        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), probe.Ids);
    }
}
