using System.Runtime.CompilerServices;
using System.Threading.Channels;
using DataWeaver.Connectors;

namespace DataWeaver.Tests.Stateful;

/// <summary>A source of what the test writes into a channel, in order; it runs out when the channel completes.</summary>
internal sealed class ChannelSource<T>(ChannelReader<T> reader) : SourceConnector<T>("channel")
{
    public override async IAsyncEnumerable<T> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var item in reader.ReadAllAsync(cancellationToken))
        {
            yield return item;
        }
    }
}

/// <summary>One event of the window tests: a key, an event time in seconds and a value.</summary>
internal readonly record struct Reading(string Key, long Seconds, double Value)
{
    public static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public DateTimeOffset Time => Epoch.AddSeconds(Seconds);
}
