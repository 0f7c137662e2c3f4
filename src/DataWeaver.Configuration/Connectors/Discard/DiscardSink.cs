namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>A sink that acknowledges every batch and keeps nothing (<c>discard</c>): for measuring and for dry runs.</summary>
internal sealed class DiscardSink<T>(string name) : DataWeaver.Connectors.SinkConnector<T>(name)
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public override ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
    {
        Interlocked.Add(ref _count, batch.Length);
        return default;
    }
}
