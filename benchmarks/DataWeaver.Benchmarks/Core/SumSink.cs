using DataWeaver.Connectors;

namespace DataWeaver.Benchmarks.Core;

/// <summary>A sink that sums the quantities it is given, so the pipeline's work cannot be dropped as dead code.</summary>
public sealed class SumSink : SinkConnector<Order>
{
    private long _total;
    private long _count;

    public SumSink()
        : base("sum")
    {
    }

    /// <summary>Gets the sum of the quantities written since the last <see cref="OpenAsync"/>.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Gets how many records were written since the last <see cref="OpenAsync"/>.</summary>
    public long Count => Interlocked.Read(ref _count);

    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _total, 0);
        Interlocked.Exchange(ref _count, 0);
        return default;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<Order> batch, CancellationToken cancellationToken = default)
    {
        long sum = 0;
        foreach (ref readonly var order in batch.Span)
        {
            sum += order.Quantity;
        }

        // One writer at a time (sink parallelism 1), but the total is read from another thread.
        Interlocked.Add(ref _total, sum);
        Interlocked.Add(ref _count, batch.Length);
        return default;
    }
}
