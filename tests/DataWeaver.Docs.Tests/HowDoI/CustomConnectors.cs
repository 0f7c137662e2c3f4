// snippet: howdoi-connectors
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DataWeaver.Connectors;

namespace MyApp;

/// <summary>Records that the application writes to a channel; ends when the channel is completed.</summary>
public sealed class ChannelSource<T>(ChannelReader<T> channel) : SourceConnector<T>("channel")
{
    public override async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var record in channel.ReadAllAsync(cancellationToken))
        {
            yield return record;
        }
    }
}

/// <summary>Each batch written as lines, then flushed: the batch is acknowledged when WriteAsync returns.</summary>
public sealed class LinesSink(TextWriter writer) : SinkConnector<string>("lines")
{
    public override async ValueTask WriteAsync(ReadOnlyMemory<string> batch, CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < batch.Length; i++)
        {
            await writer.WriteLineAsync(batch.Span[i].AsMemory(), cancellationToken);
        }

        await writer.FlushAsync(cancellationToken);
    }

    public override ValueTask CloseAsync(CancellationToken cancellationToken = default) => writer.DisposeAsync();
}
// end snippet
