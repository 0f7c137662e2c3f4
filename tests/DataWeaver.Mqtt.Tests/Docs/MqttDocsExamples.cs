using DataWeaver.Mqtt.Tests.Support;
using DataWeaver.Pipelines;

namespace DataWeaver.Mqtt.Tests.Docs;

/// <summary>The code of docs/mqtt.md, run.</summary>
public sealed class MqttDocsExamples
{
    [Fact]
    public async Task Readings_DocsExample_EveryReadingInTheOutputTopic()
    {
        var readBack = MqttBroker.UniqueName("rb-docs");
        await MqttBroker.CreateSessionAsync(readBack, ["dw-docs/readings/all"]);
        await MqttBroker.CreateSessionAsync("dw-docs-readings-1", ["dw-docs/sensors/+/temperature"]);
        await MqttBroker.PublishAsync(Enumerable.Range(0, 30).Select(i => ($"dw-docs/sensors/s{i % 3}/temperature", MqttBroker.Json(i))));

        // snippet: mqtt-readings
        var options = new PipelineOptions { MaxInFlightRecords = 4_096, CommitInterval = TimeSpan.Zero };
        var run = MqttPipelineExtensions
            .FromMqtt(new MqttSourceOptions
            {
                Connection = new MqttConnectionOptions { HostName = "127.0.0.1", ClientId = "dw-docs-readings-1" },   // names the session
                Topics = ["dw-docs/sensors/+/temperature"],                                                         // + : any sensor
            }, options)
            .ToMqtt(new MqttSinkOptions { Connection = new MqttConnectionOptions { HostName = "127.0.0.1" }, Topic = "dw-docs/readings/all" })
            .Build()
            .Start();
        // end snippet
        List<(string Topic, byte[] Payload)> read = [];
        var start = DateTime.UtcNow;
        while (read.Count < 30 && DateTime.UtcNow - start < TimeSpan.FromSeconds(30))
        {
            read = await MqttBroker.ReadAllAsync(readBack);
        }

        await run.StopAsync();
        Assert.Equal(Enumerable.Range(0, 30).Select(i => (long)i), read.Select(m => MqttBroker.Id(m.Payload)));
    }
}
