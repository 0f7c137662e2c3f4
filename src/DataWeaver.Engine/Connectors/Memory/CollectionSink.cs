namespace DataWeaver.Connectors.Memory;

/// <summary>
/// Collects written records in memory, in write order. Thread-safe; useful in tests and samples.
/// </summary>
/// <typeparam name="T">The record type.</typeparam>
public sealed class CollectionSink<T> : SinkConnector<T>
{
    private readonly List<T> _records = [];
    private readonly Lock _lock = new();
    private long _batches;

    /// <summary>Creates the sink.</summary>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>collection</c>.</param>
    public CollectionSink(string? name = null)
        : base(name ?? "collection")
    {
    }

    /// <summary>Gets a copy of the records written so far, in write order.</summary>
    public IReadOnlyList<T> Records
    {
        get
        {
            lock (_lock)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>Gets how many records were written so far.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _records.Count;
            }
        }
    }

    /// <summary>Gets how many batches were written so far.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _records.AddRange(batch.Span);
        }

        Interlocked.Increment(ref _batches);
        return default;
    }
}
