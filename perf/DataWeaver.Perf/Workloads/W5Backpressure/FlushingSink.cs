using DataWeaver.Connectors;

namespace DataWeaver.Perf.Workloads.W5Backpressure;

/// <summary>W5's DataWeaver sink: each batch is one flush of <see cref="FlushLog"/>.</summary>
internal sealed class FlushingSink(FlushLog log) : SinkConnector<Stamped>("flushing")
{
    public override ValueTask WriteAsync(ReadOnlyMemory<Stamped> batch, CancellationToken cancellationToken = default)
    {
        log.Flush(batch.Span);
        return default;
    }
}
