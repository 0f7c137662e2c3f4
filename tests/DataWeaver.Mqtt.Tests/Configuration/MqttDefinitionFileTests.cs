using System.Text;
using System.Text.Json;
using DataWeaver.Configuration;
using DataWeaver.Mqtt.Configuration;
using DataWeaver.Mqtt.Tests.Support;

namespace DataWeaver.Mqtt.Tests.Configuration;

/// <summary>The mqtt source and sink types of definition files: the example file runs (wildcard subscription), the password is a secret.</summary>
public sealed class MqttDefinitionFileTests
{
    [Fact]
    public async Task ExampleFile_WildcardTopics_HotReadingsOfEverySensorInTheOutputTopic()
    {
        var readBack = MqttBroker.UniqueName("rb-hot");
        await MqttBroker.CreateSessionAsync(readBack, ["dw-example/hot"]);
        await MqttBroker.CreateSessionAsync("dw-example-hot-readings", ["dw-example/sensors/+/temperature"]); // the example's session, before publishing
        var readings = Enumerable.Range(0, 12).Select(i => ($"dw-example/sensors/s{i % 3}/temperature", Encoding.UTF8.GetBytes($$"""{"id":{{i}},"hot":{{(i % 2 == 0 ? "true" : "false")}}}""")));
        await MqttBroker.PublishAsync([.. readings, ("dw-example/sensors/s1/humidity", MqttBroker.Json(99))]);
        await using var manager = new PipelineManager(new PipelineManagerOptions { Registry = ConnectorRegistry.CreateDefault().AddMqtt() });
        var file = Path.Combine(AppContext.BaseDirectory, "examples", "mqtt-sensors.yaml");
        manager.CreatePipelines(PipelineDefinitionLoader.Parse(File.ReadAllText(file), file, new PipelineLoadOptions { Registry = manager.Registry, Environment = _ => "unused-by-anonymous-broker" }));
        manager.StartPipeline("hot-readings");
        var start = DateTime.UtcNow;
        List<(string Topic, byte[] Payload)> hot = [];
        while (hot.Count < 6 && DateTime.UtcNow - start < TimeSpan.FromSeconds(30))
        {
            hot = await MqttBroker.ReadAllAsync(readBack);
        }

        await manager.StopPipelineAsync("hot-readings");

        Assert.Equal([0, 2, 4, 6, 8, 10], hot.Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("id").GetInt32()));
        Assert.All(hot, m => Assert.Equal("dw-example/hot", m.Topic));
    }

    [Fact]
    public void Password_Secret_NeverPrinted()
    {
        const string Secret = "mqtt-canary-pw-4711";
        var options = new MqttSourceOptions { Connection = new() { ClientId = "c", UserName = "u", Password = Secret }, Topics = ["t"] };
        Assert.DoesNotContain(Secret, options.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, options.Connection.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(Secret, new MqttSink(new MqttSinkOptions { Connection = options.Connection, Topic = "t" }).ToString(), StringComparison.Ordinal);
    }
}
