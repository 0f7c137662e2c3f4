using System.Collections.Concurrent;
using DataWeaver.Connectors;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Cli.Test;

/// <summary>A sink that keeps the JSON text of every record it is given, in order, for <c>dataweaver test</c> to compare.</summary>
/// <param name="name">The sink's name (the definition's).</param>
/// <param name="written">Where the records go.</param>
internal sealed class CaptureSink(string name, ConcurrentQueue<string> written) : SinkConnector<JsonRecord>(name)
{
    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken = default)
    {
        foreach (var record in batch.Span)
        {
            written.Enqueue(record.ToString());
        }

        return ValueTask.CompletedTask;
    }
}
