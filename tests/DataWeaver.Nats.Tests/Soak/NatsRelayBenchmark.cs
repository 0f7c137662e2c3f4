using System.Diagnostics;
using DataWeaver.Nats.Tests.Support;
using DataWeaver.Pipelines;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;
using Xunit.Abstractions;

namespace DataWeaver.Nats.Tests.Soak;

/// <summary>
/// NATS -> NATS relay throughput, as a ratio against a hand-written NATS.Net loop with the same guarantees (publish, wait
/// for every PubAck of a batch, then acknowledge the batch's last message with ack_policy all), measured in the same run.
/// Reports figures; asserts only that both relayed every message.
/// </summary>
[Trait("Category", "Soak")]
public sealed class NatsRelayBenchmark(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 50_000;
    private const int Batch = 256;
    private NatsServer _server = null!;

    public async Task InitializeAsync() => _server = await NatsServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Relay_EngineVersusHandWrittenLoop_ReportsRatio()
    {
        await using var nats = await _server.FrameworkAsync(_server.Options() with { MaxAckPending = 4096 });
        var ratios = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var hand = await MeasureAsync(nats, "H" + round, HandWrittenAsync);
            var engine = await MeasureAsync(nats, "E" + round, EngineAsync);
            ratios.Add(hand.TotalSeconds / engine.TotalSeconds);
            output.WriteLine($"round {round}: hand-written {Messages / hand.TotalSeconds:N0} msg/s, engine {Messages / engine.TotalSeconds:N0} msg/s, ratio {hand.TotalSeconds / engine.TotalSeconds:F2}");
        }

        output.WriteLine($"median ratio engine/hand-written throughput: {ratios.Order().ElementAt(1):F2}");
    }

    private static async Task<TimeSpan> MeasureAsync(NatsStreamFramework nats, string name, Func<NatsStreamFramework, string, string, Task> relay)
    {
        var (input, outputStream) = ("IN_" + name, "OUT_" + name);
        await nats.JetStream.CreateStreamAsync(new StreamConfig(input, [input]));
        await nats.JetStream.CreateStreamAsync(new StreamConfig(outputStream, [outputStream]));
        for (var start = 0; start < Messages; start += 5000)
        {
            await nats.PublishBatchAsync(5000, _ => input, i => NatsServer.Json(start + i), _ => null, input, default);
        }

        var clock = Stopwatch.StartNew();
        await relay(nats, input, outputStream);
        clock.Stop();
        var stored = (await nats.JetStream.GetStreamAsync(outputStream)).Info.State.Messages;
        Assert.True(stored >= Messages, $"{name}: {stored} of {Messages} relayed.");
        return clock.Elapsed;
    }

    private static async Task HandWrittenAsync(NatsStreamFramework nats, string input, string outputStream)
    {
        var js = nats.JetStream;
        var consumer = await js.CreateOrUpdateConsumerAsync(input, new ConsumerConfig("hand") { AckPolicy = ConsumerConfigAckPolicy.All, MaxAckPending = 4096 });
        var pending = new List<Task<PubAckResponse>>(Batch);
        var relayed = 0;
        using var done = new CancellationTokenSource();
        try
        {
            await foreach (var msg in consumer.ConsumeAsync<byte[]>(opts: new NatsJSConsumeOpts { MaxMsgs = 1000 }, cancellationToken: done.Token))
            {
                pending.Add(js.PublishAsync(outputStream, msg.Data).AsTask());
                relayed++;
                if (pending.Count == Batch || relayed == Messages)
                {
                    foreach (var ack in pending)
                    {
                        (await ack).EnsureSuccess(); // stored downstream before the input is acknowledged
                    }

                    pending.Clear();
                    await msg.AckAsync(new AckOpts { DoubleAck = true });
                    if (relayed == Messages)
                    {
                        await done.CancelAsync();
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task EngineAsync(NatsStreamFramework nats, string input, string outputStream)
    {
        var source = new NatsSource(nats, new NatsSourceOptions { Stream = input, Durable = "engine", MaxAckPending = 4096 });
        var sink = new NatsSink(nats, new NatsSinkOptions { Subject = outputStream, MessageIds = NatsMessageIds.None });
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = Batch, MaxInFlightRecords = 4096, CommitInterval = TimeSpan.Zero })
            .To(sink).Build().Start();
        var clock = Stopwatch.StartNew();
        while ((await nats.JetStream.GetStreamAsync(outputStream)).Info.State.Messages < Messages)
        {
            await Task.Delay(5);
        }

        var relayed = clock.Elapsed;
        run.RequestStop();
        await run.Completion;
        output.WriteLine($"engine: relayed in {relayed.TotalSeconds:F2} s, stopped {(clock.Elapsed - relayed).TotalSeconds:F2} s later");
    }

}
