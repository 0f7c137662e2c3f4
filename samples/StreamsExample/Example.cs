using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using DataWeaver.Connectors;
using DataWeaver.Streams;

namespace StreamsExample;

// MySourceConnector reads JSON messages from a stream and marks them processed;
// MySinkConnector produces them to another stream.
public sealed class MySourceConnector(IStreamFramework framework, string topic) : SourceConnector<JsonObject>
{
    public IStreamFramework Framework { get; } = framework;

    public string Topic { get; } = topic;

    public override async IAsyncEnumerable<JsonObject> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var message in Framework.ConsumeStream(Topic, cancellationToken: cancellationToken))
        {
            yield return JsonMessages.Parse(message);
        }
    }

    public override JsonObject Process(JsonObject message)
    {
        // Perform data transformation
        message["processed"] = true;
        return message;
    }
}

public sealed class MySinkConnector(IStreamFramework framework, string topic) : SinkConnector<JsonObject>
{
    public IStreamFramework Framework { get; } = framework;

    public string Topic { get; } = topic;

    public override async ValueTask WriteAsync(ReadOnlyMemory<JsonObject> batch, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < batch.Length; i++)
        {
            await Framework.ProduceMessageAsync(Topic, batch.Span[i], cancellationToken);
        }
    }
}

/// <summary>JSON messages over the byte streams of any <see cref="IStreamFramework"/>.</summary>
public static class JsonMessages
{
    public static ValueTask<StreamDeliveryResult> ProduceMessageAsync(
        this IStreamFramework framework, string topic, JsonObject message, CancellationToken cancellationToken = default) =>
        framework.ProduceMessageAsync(topic, new OutgoingMessage(ReadOnlyMemory<byte>.Empty, JsonSerializer.SerializeToUtf8Bytes(message)), cancellationToken);

    public static JsonObject Parse(StreamMessage message) => JsonNode.Parse(message.Value.Span)!.AsObject();
}
