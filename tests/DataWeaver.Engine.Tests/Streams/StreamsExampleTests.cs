using System.Text.Json.Nodes;
using DataWeaver.Connectors;
using DataWeaver.Streams;
using StreamsExample;
using static DataWeaver.Tests.Streams.StreamTestHelpers;

namespace DataWeaver.Tests.Streams;

public sealed class StreamsExampleTests
{
    [Fact]
    public async Task RunAsync_StreamsExample_SinkTopicHoldsExactlyTheProcessedMessages()
    {
        var written = await StreamsExampleRun.RunAsync(messages: 50).WaitAsync(TimeSpan.FromSeconds(20));

        Assert.Equal(50, written.Count);
        Assert.Equal(
            Enumerable.Range(1, 50).Select(id => new JsonObject { ["id"] = id, ["name"] = $"item-{id}", ["processed"] = true }.ToJsonString()),
            written.Select(m => m.ToJsonString()));
    }

    [Fact]
    public async Task GettingStarted_CustomConnectors_CopyEveryMessageOnce()
    {
        await using var framework = await StartAsync();
        await framework.CreateStreamAsync("source_topic", 2);
        await framework.CreateStreamAsync("sink_topic", 2);
        for (var i = 0; i < 100; i++)
        {
            await framework.ProduceMessageAsync("source_topic", $"k{i % 7}", i.ToString());
        }

        var source = new CustomSourceConnector(framework, "source_topic");
        var sink = new CustomSinkConnector(framework, "sink_topic");
        var pipeline = ConnectorPipeline.Create(source, sink);
        pipeline.Start();
        await using var reader = await framework.ConsumeStreamAsync("sink_topic", new StreamConsumerOptions { GroupId = "reader" });
        var copied = await TakeAsync(reader, 100).WaitAsync(TimeSpan.FromSeconds(20));
        await pipeline.StopAsync();

        Assert.Equal(Enumerable.Range(0, 100).Select(i => i.ToString()).Order(), copied.Select(m => Text(m.Value)).Order());
        Assert.Equal(100, (await framework.GetWatermarksAsync("sink_topic")).Sum(w => w.High));
        Assert.Contains("CustomSourceConnector", pipeline.Describe().ToText(), StringComparison.Ordinal);
    }
}
