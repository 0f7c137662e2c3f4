using DataWeaver.Connectors;

namespace DataWeaver.Perf.Workloads.W2Etl;

/// <summary>W2's sink: adds each batch into the per-key totals (one sink worker, so one writer at a time).</summary>
internal sealed class KeyedSumSink() : SinkConnector<Keyed>("keyed-sum")
{
    public KeyedTotals Totals { get; } = new();

    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        Totals.Clear();
        return default;
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<Keyed> batch, CancellationToken cancellationToken = default)
    {
        var totals = Totals.Totals;
        foreach (var keyed in batch.Span)
        {
            totals[keyed.Key] += keyed.Value;
        }

        return default;
    }
}
