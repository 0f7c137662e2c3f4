using System.Diagnostics;
using System.Threading.Channels;
using DataWeaver.Pipelines;
using DataWeaver.RabbitMq.Tests.Support;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using Xunit.Abstractions;

namespace DataWeaver.RabbitMq.Tests.Soak;

/// <summary>
/// RabbitMQ -> RabbitMQ relay throughput, as a ratio against a hand-written RabbitMQ.Client loop with the same guarantees
/// (manual acknowledgement with the same prefetch; publish a batch of 256 persistent, mandatory messages with publisher
/// confirms, wait for every confirm, then <c>basic.ack multiple</c> the batch's last delivery), measured in the same run.
/// Reports figures; asserts only that both relayed every message. In the restart collection: it runs alone (a broker restart
/// beside it would break it, and other tests beside it would skew it).
/// </summary>
[Trait("Category", "Soak")]
[Collection(BrokerRestartCollection.Name)]
public sealed class RabbitMqRelayBenchmark(ITestOutputHelper output)
{
    private const int Messages = 50_000;
    private const int Batch = 256;
    private const int InFlight = 4096;

    [Fact]
    public async Task Relay_EngineVersusHandWrittenLoop_ReportsRatio()
    {
        var ratios = new List<double>();
        for (var round = 0; round < 3; round++)
        {
            var hand = await MeasureAsync("hand", HandWrittenAsync);
            var engine = await MeasureAsync("engine", EngineAsync);
            ratios.Add(hand.TotalSeconds / engine.TotalSeconds);
            output.WriteLine($"round {round}: hand-written {Messages / hand.TotalSeconds:N0} msg/s, engine {Messages / engine.TotalSeconds:N0} msg/s, ratio {hand.TotalSeconds / engine.TotalSeconds:F2}");
        }

        output.WriteLine($"median ratio engine/hand-written throughput: {ratios.Order().ElementAt(1):F2}");
    }

    private static async Task<TimeSpan> MeasureAsync(string name, Func<string, string, Task> relay)
    {
        var (input, outputQueue) = (RabbitMqBroker.UniqueName("bench-in-" + name), RabbitMqBroker.UniqueName("bench-out-" + name));
        await RabbitMqBroker.CreateQueueAsync(input);
        await RabbitMqBroker.CreateQueueAsync(outputQueue);
        for (var start = 0; start < Messages; start += 5000)
        {
            await RabbitMqBroker.PublishAsync(input, Enumerable.Range(start, 5000).Select(i => RabbitMqBroker.Json(i)));
        }

        var clock = Stopwatch.StartNew();
        await relay(input, outputQueue);
        clock.Stop();
        var stored = await RabbitMqBroker.ReadyAsync(outputQueue);
        Assert.True(stored >= Messages, $"{name}: {stored} of {Messages} relayed.");
        await using var connection = await RabbitMqBroker.ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeleteAsync(input);
        await channel.QueueDeleteAsync(outputQueue);
        return clock.Elapsed;
    }

    private static async Task HandWrittenAsync(string input, string outputQueue)
    {
        await using var connection = await RabbitMqBroker.ConnectAsync();
        await using var consume = await connection.CreateChannelAsync();
        await using var publish = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null));
        await consume.BasicQosAsync(0, InFlight, global: false);
        var deliveries = Channel.CreateUnbounded<(ulong Tag, byte[] Body)>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var consumer = new AsyncEventingBasicConsumer(consume);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            deliveries.Writer.TryWrite((delivery.DeliveryTag, delivery.Body.ToArray())); // prefetch bounds what is in it
            return Task.CompletedTask;
        };
        var tag = await consume.BasicConsumeAsync(input, autoAck: false, consumer);
        var properties = new BasicProperties { Persistent = true };
        var confirms = new List<Task>(Batch);
        var relayed = 0;
        var last = 0UL;
        while (relayed < Messages && await deliveries.Reader.WaitToReadAsync())
        {
            while (confirms.Count < Batch && deliveries.Reader.TryRead(out var delivery))
            {
                confirms.Add(publish.BasicPublishAsync("", outputQueue, mandatory: true, properties, delivery.Body).AsTask());
                last = delivery.Tag;
                relayed++;
            }

            await Task.WhenAll(confirms); // stored downstream before the input is acknowledged
            confirms.Clear();
            await consume.BasicAckAsync(last, multiple: true);
        }

        await consume.BasicCancelAsync(tag);
    }

    private static async Task EngineAsync(string input, string outputQueue)
    {
        var source = new RabbitMqSource(new RabbitMqSourceOptions { Connection = RabbitMqBroker.Connection(), Queue = input, PrefetchCount = InFlight });
        var sink = new RabbitMqSink(new RabbitMqSinkOptions { Connection = RabbitMqBroker.Connection(), RoutingKey = outputQueue });
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = Batch, MaxInFlightRecords = InFlight, CommitInterval = TimeSpan.Zero })
            .To(sink).Build().Start();
        await using (var connection = await RabbitMqBroker.ConnectAsync())
        await using (var channel = await connection.CreateChannelAsync())
        {
            while ((await channel.QueueDeclarePassiveAsync(outputQueue)).MessageCount < Messages)
            {
                await Task.Delay(5);
            }
        }

        run.RequestStop();
        await run.Completion;
    }
}
