using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using DataWeaver.Mqtt.Tests.Support;
using DataWeaver.Pipelines;
using MQTTnet;
using MQTTnet.Protocol;
using Xunit.Abstractions;

namespace DataWeaver.Mqtt.Tests.Soak;

/// <summary>
/// MQTT -> MQTT relay throughput (MQTT 5, QoS 1, its own mosquitto), as a ratio against a hand-written MQTTnet loop with the
/// same guarantees (a persistent session with a receive maximum of the in-flight bound; a batch of up to 256 messages
/// published at QoS 1, every PUBACK awaited, then the batch's received messages acknowledged in order), measured in the same
/// run. The end of each relay is seen by a subscriber of the output topic counting what it received. Reports figures; asserts
/// only that both relayed every message. In the restart collection: it runs alone.
/// </summary>
[Trait("Category", "Soak")]
[Collection(MqttBrokerRestartCollection.Name)]
public sealed class MqttRelayBenchmark(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Messages = 20_000;
    private const int Batch = 256;
    private const int InFlight = 1024;
    private MosquittoServer _broker = null!;

    public async Task InitializeAsync() => _broker = await MosquittoServer.StartAsync();

    public async Task DisposeAsync() => await _broker.DisposeAsync();

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

    private async Task<TimeSpan> MeasureAsync(string name, Func<string, string, string, CancellationToken, Task> relay)
    {
        var (input, outputTopic, clientId) = ("bench/in/" + Guid.NewGuid().ToString("N"), "bench/out/" + Guid.NewGuid().ToString("N"), MqttBroker.UniqueName(name));
        await MqttBroker.CreateSessionAsync(clientId, [input], MqttVersion.V5, _broker.Port);
        await PublishAsync(input);

        // Counts the relayed messages (QoS 1, acknowledged at once): the relay is done when all came.
        var received = 0;
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var counter = new MqttClientFactory().CreateMqttClient();
        counter.ApplicationMessageReceivedAsync += _ =>
        {
            if (Interlocked.Increment(ref received) == Messages)
            {
                all.TrySetResult();
            }

            return Task.CompletedTask;
        };
        await counter.ConnectAsync(MqttBroker.Connection(null, MqttVersion.V5, _broker.Port).Build(false, 0));
        await counter.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(outputTopic, MqttQualityOfServiceLevel.AtLeastOnce).Build());

        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var clock = Stopwatch.StartNew();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(guard.Token);
        var relaying = relay(input, outputTopic, clientId, done.Token);
        await all.Task.WaitAsync(guard.Token);
        clock.Stop();
        await done.CancelAsync();
        await relaying;
        await counter.DisconnectAsync();
        Assert.True(received >= Messages, $"{name}: {received} of {Messages} relayed.");
        return clock.Elapsed;
    }

    private async Task PublishAsync(string topic)
    {
        using var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(MqttBroker.Connection(null, MqttVersion.V5, _broker.Port).Build(false, 0));
        for (var start = 0; start < Messages; start += Batch)
        {
            var window = Enumerable.Range(start, Math.Min(Batch, Messages - start)).Select(i => client.PublishAsync(
                new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(MqttBroker.Json(i)).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build()));
            foreach (var result in await Task.WhenAll(window))
            {
                Assert.True(result.IsSuccess, result.ReasonCode.ToString());
            }
        }

        await client.DisconnectAsync();
    }

    private async Task HandWrittenAsync(string input, string outputTopic, string clientId, CancellationToken done)
    {
        // The handler waits while the pipeline of this loop is full (a bounded channel): MQTTnet stops handing messages over.
        var received = Channel.CreateBounded<MqttApplicationMessageReceivedEventArgs>(new BoundedChannelOptions(InFlight) { SingleReader = true, SingleWriter = true });
        using var consumer = new MqttClientFactory().CreateMqttClient();
        consumer.ApplicationMessageReceivedAsync += async message =>
        {
            message.AutoAcknowledge = false;
            try
            {
                await received.Writer.WriteAsync(message, done);
            }
            catch (OperationCanceledException)
            {
            }
        };
        using var producer = new MqttClientFactory().CreateMqttClient();
        await producer.ConnectAsync(MqttBroker.Connection(null, MqttVersion.V5, _broker.Port).Build(false, 0), done);
        await consumer.ConnectAsync(MqttBroker.Connection(clientId, MqttVersion.V5, _broker.Port).Build(true, InFlight), done);
        await consumer.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(input, MqttQualityOfServiceLevel.AtLeastOnce).Build(), done);
        var batch = new List<MqttApplicationMessageReceivedEventArgs>(Batch);
        var publishes = new List<Task<MqttClientPublishResult>>(Batch);
        try
        {
            while (await received.Reader.WaitToReadAsync(done))
            {
                while (batch.Count < Batch && received.Reader.TryRead(out var message))
                {
                    batch.Add(message);
                    publishes.Add(producer.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(outputTopic).WithPayload(message.ApplicationMessage.Payload.ToArray())
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), CancellationToken.None));
                }

                foreach (var result in await Task.WhenAll(publishes))
                {
                    Assert.True(result.IsSuccess, result.ReasonCode.ToString()); // stored downstream before the input is acknowledged
                }

                foreach (var message in batch)
                {
                    await message.AcknowledgeAsync(CancellationToken.None);
                }

                batch.Clear();
                publishes.Clear();
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
        }

        await consumer.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
        await producer.DisconnectAsync(new MqttClientDisconnectOptions(), CancellationToken.None);
    }

    private async Task EngineAsync(string input, string outputTopic, string clientId, CancellationToken done)
    {
        var source = new MqttSource(new MqttSourceOptions { Connection = MqttBroker.Connection(clientId, MqttVersion.V5, _broker.Port), Topics = [input], MaxInFlight = InFlight });
        var sink = new MqttSink(new MqttSinkOptions { Connection = MqttBroker.Connection(null, MqttVersion.V5, _broker.Port), Topic = outputTopic });
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = Batch, MaxInFlightRecords = InFlight, CommitInterval = TimeSpan.Zero })
            .To(sink).Build().Start(CancellationToken.None);
        try
        {
            await Task.Delay(Timeout.Infinite, done);
        }
        catch (OperationCanceledException)
        {
        }

        run.RequestStop();
        await run.Completion;
    }
}
