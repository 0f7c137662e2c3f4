using DataWeaver.Streams;

namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>A <see cref="StreamSource"/> that starts its framework and makes sure its topic exists when it opens.</summary>
internal sealed class ConfiguredStreamSource(IStreamFramework framework, string topic, int? partitions, StreamConsumerOptions options, string name)
    : StreamSource(framework, topic, options, name)
{
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        await StreamTopics.PrepareAsync(Framework, Topic, partitions, cancellationToken).ConfigureAwait(false);
        await base.OpenAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>A <see cref="StreamSink"/> that starts its framework and makes sure its topic exists when it opens.</summary>
internal sealed class ConfiguredStreamSink(IStreamFramework framework, string topic, int? partitions, StreamSinkOptions options, string name)
    : StreamSink(framework, topic, options, name)
{
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        await StreamTopics.PrepareAsync(Framework, Topic, partitions, cancellationToken).ConfigureAwait(false);
        await base.OpenAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>Starts a framework and creates a topic when it is missing (or with the partition count asked for).</summary>
internal static class StreamTopics
{
    public static async ValueTask PrepareAsync(IStreamFramework framework, string topic, int? partitions, CancellationToken cancellationToken)
    {
        await framework.StartAsync(cancellationToken).ConfigureAwait(false);
        if (partitions is { } count)
        {
            await framework.CreateStreamAsync(topic, count, cancellationToken).ConfigureAwait(false);
            return;
        }

        try
        {
            await framework.GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        }
        catch (StreamFrameworkException exception) when (exception.Code == StreamErrorCode.UnknownTopic)
        {
            await framework.CreateStreamAsync(topic, 1, cancellationToken).ConfigureAwait(false);
        }
    }
}
