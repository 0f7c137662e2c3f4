using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Streams;

namespace StreamsExample;

// Custom connectors: extend SourceConnector / SinkConnector
// and implement read (ReadAsync), process (Process) and write (WriteAsync).
public sealed class CustomSourceConnector(IStreamFramework framework, string topic) : SourceConnector<StreamMessage>
{
    public IStreamFramework Framework { get; } = framework;

    public string Topic { get; } = topic;

    public override async IAsyncEnumerable<StreamMessage> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Custom implementation: every message of the topic.
        await foreach (var message in Framework.ConsumeStream(Topic, cancellationToken: cancellationToken))
        {
            yield return message;
        }
    }

    public override StreamMessage Process(StreamMessage message)
    {
        // Custom transformation logic
        return message;
    }
}

public sealed class CustomSinkConnector(IStreamFramework framework, string topic) : SinkConnector<StreamMessage>
{
    public IStreamFramework Framework { get; } = framework;

    public string Topic { get; } = topic;

    public override async ValueTask WriteAsync(ReadOnlyMemory<StreamMessage> batch, CancellationToken cancellationToken = default)
    {
        // Custom implementation: copy each message to the topic.
        for (var i = 0; i < batch.Length; i++)
        {
            var message = batch.Span[i];
            await Framework.ProduceMessageAsync(Topic, message.Key, message.Value, message.Headers, cancellationToken);
        }
    }
}
