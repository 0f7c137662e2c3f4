using System.Text.Json.Nodes;
using DataWeaver.Connectors;
using DataWeaver.Streams;
using DataWeaver.Streams.InProcess;

namespace StreamsExample;

/// <summary>Custom connectors over a stream framework end to end, with the in-process framework in place of Kafka.</summary>
public static class StreamsExampleRun
{
    public static async Task<IReadOnlyList<JsonObject>> RunAsync(int messages, CancellationToken cancellationToken = default)
    {
        // Initialize the framework (with Kafka: new KafkaStreamFramework(new KafkaStreamOptions { BootstrapServers = ... }))
        await using var framework = new InProcessStreamFramework();
        await framework.StartAsync(cancellationToken);
        await framework.CreateStreamAsync("source_topic", cancellationToken: cancellationToken);
        await framework.CreateStreamAsync("sink_topic", cancellationToken: cancellationToken);

        // Some application writes JSON messages to source_topic.
        for (var id = 1; id <= messages; id++)
        {
            await framework.ProduceMessageAsync("source_topic", new JsonObject { ["id"] = id, ["name"] = $"item-{id}" }, cancellationToken);
        }

        // Create connectors
        var source = new MySourceConnector(framework, "source_topic");
        var sink = new MySinkConnector(framework, "sink_topic");

        // Create and start pipeline
        var pipeline = new ConnectorPipeline<JsonObject>(source, sink);
        pipeline.Start(cancellationToken);

        // Read what the pipeline wrote to sink_topic, then stop the pipeline with a drain.
        List<JsonObject> written = [];
        var reader = new StreamConsumerOptions { GroupId = "reader" };
        await foreach (var message in framework.ConsumeStream("sink_topic", reader, cancellationToken))
        {
            written.Add(JsonMessages.Parse(message));
            if (written.Count == messages)
            {
                break;
            }
        }

        await pipeline.StopAsync(cancellationToken);
        return written;
    }
}
