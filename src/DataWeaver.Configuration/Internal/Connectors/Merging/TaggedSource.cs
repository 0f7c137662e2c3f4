using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Connectors.Merging;

/// <summary>
/// One source of a merged pipeline (<c>sources:</c> with <c>sourceField</c>) whose records gain a field naming the source.
/// Everything else is the source's own: its reader (so its positions), its commits and its acknowledgements.
/// </summary>
internal sealed class TaggedSource : SourceConnector<JsonRecord>
{
    private readonly SourceConnector<JsonRecord> _inner;
    private readonly JsonRecordTransform _tag;

    public TaggedSource(SourceConnector<JsonRecord> inner, string field, string value)
        : base(inner.Name)
    {
        _inner = inner;
        _tag = JsonRecordTransform.CreateBuilder().Set(JsonFieldPath.Parse(field), JsonFieldValue.FromString(value)).Build();
    }

    public override ValueTask OpenAsync(CancellationToken cancellationToken = default) => _inner.OpenAsync(cancellationToken);

    public override ValueTask CloseAsync(CancellationToken cancellationToken = default) => _inner.CloseAsync(cancellationToken);

    public override IAsyncEnumerable<JsonRecord> ReadAsync(CancellationToken cancellationToken = default) => _inner.ReadAsync(cancellationToken);

    public override SourceReader<JsonRecord> CreateReader() => _inner.CreateReader();

    /// <summary>The source's own processing, then the tag (the merged reader calls this on every record of the source).</summary>
    public override JsonRecord Process(JsonRecord message) => _tag.Apply(_inner.Process(message));

    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default) =>
        _inner.CommitAsync(positions, cancellationToken);

    protected override void OnAcknowledged(SourcePosition position) => Accessor<JsonRecord>.OnAcknowledged(_inner, position);

    // OnAcknowledged is protected internal in the engine: a wrapper in another assembly reaches the wrapped source's
    // through this accessor (generic, as UnsafeAccessor needs for a member of a generic type).
    private static class Accessor<T>
    {
        [UnsafeAccessor(UnsafeAccessorKind.Method, Name = "OnAcknowledged")]
        public static extern void OnAcknowledged(SourceConnector<T> source, SourcePosition position);
    }
}
