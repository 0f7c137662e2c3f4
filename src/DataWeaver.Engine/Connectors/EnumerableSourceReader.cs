namespace DataWeaver.Connectors;

/// <summary>The default reader: pulls <see cref="SourceConnector{T}.ReadAsync"/> one record at a time.</summary>
internal sealed class EnumerableSourceReader<T>(SourceConnector<T> source) : EnumeratorSourceReader<T, T>
{
    private long _ordinal;

    protected override IAsyncEnumerator<T> OpenItems(CancellationToken cancellationToken) =>
        source.ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

    protected override void AddItem(SourceBuffer<T> buffer, T item)
    {
        buffer.Add(item, source.GetResumePosition(item, _ordinal), source.GetSize(item));
        _ordinal++;
    }
}
