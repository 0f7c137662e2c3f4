using DataWeaver.Connectors;
using DataWeaver.Pipelines;

namespace DataWeaver.Perf.Workloads.W1Hops;

/// <summary>W1's identity stage as a struct operator the JIT inlines.</summary>
internal readonly struct Identity : IMapOperator<long, long>
{
    public long Map(long value) => value;
}

/// <summary>W1's sink: sums the values of each batch.</summary>
internal sealed class LongSumSink() : SinkConnector<long>("sum")
{
    public long Total { get; private set; }

    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        Total = 0;
        return default;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
    {
        long sum = 0;
        foreach (var value in batch.Span)
        {
            sum += value;
        }

        Total += sum; // one sink worker: written by one thread at a time, read after the run
        return default;
    }
}
