using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>The pipeline's reader: changes into source buffers, undecodable ones rejected to the source error policy.</summary>
public sealed partial class PostgresCdcSource
{
    private sealed class ChangeReader(PostgresCdcSource source) : EnumeratorSourceReader<JsonRecord, Change>
    {
        private long _ordinal;

        protected override IAsyncEnumerator<Change> OpenItems(CancellationToken cancellationToken) =>
            source.ReadChangesAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);

        protected override void AddItem(SourceBuffer<JsonRecord> buffer, Change item)
        {
            var position = new SourcePosition(0, _ordinal++);
            var resume = new SourcePosition(0, _ordinal);
            if (item.Error is { } error)
            {
                buffer.Reject(error, position, resume, item.Raw);
            }
            else
            {
                buffer.Add(item.Record, resume);
            }
        }
    }
}
