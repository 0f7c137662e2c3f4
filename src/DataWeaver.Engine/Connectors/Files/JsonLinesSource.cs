using System.Runtime.CompilerServices;
using DataWeaver.Records;

namespace DataWeaver.Connectors.Files;

/// <summary>
/// Reads a JSON-lines file (one JSON value per line) as records whose value is the line's bytes, streaming:
/// any file size, bounded memory. Lines are not copied: each record's value points into a pooled read
/// buffer that returns to its pool once the record is acknowledged. Empty lines are skipped; a trailing
/// <c>\r</c> is removed.
/// </summary>
/// <remarks>
/// Positions are byte offsets: a record's <see cref="Record{TValue}.Position"/> is the offset of its line's
/// first byte; its resume position is the offset just past its line end. After a commit,
/// <see cref="CommittedOffset"/> is the offset to pass as <see cref="JsonLinesSourceOptions.StartOffset"/>
/// to resume. Decoding the JSON is the next step's business (e.g. a map with a deserializer), so it can run
/// in parallel.
/// </remarks>
public sealed class JsonLinesSource : SourceConnector<Record<ReadOnlyMemory<byte>>>
{
    private long _committed;

    /// <summary>Creates the source.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">Buffer sizes, limits and start offset; <see langword="null"/> uses the defaults.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses the file name.</param>
    public JsonLinesSource(string path, JsonLinesSourceOptions? options = null, string? name = null)
        : base(name ?? Path.GetFileName(path))
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = path;
        Options = options ?? new JsonLinesSourceOptions();
        Options.Validate();
        _committed = Options.StartOffset;
    }

    /// <summary>Gets the file read.</summary>
    public string FilePath { get; }

    /// <summary>Gets the source's options.</summary>
    public JsonLinesSourceOptions Options { get; }

    /// <summary>Gets the byte offset up to which every line was acknowledged and committed.</summary>
    public long CommittedOffset => Interlocked.Read(ref _committed);

    /// <inheritdoc />
    public override async IAsyncEnumerable<Record<ReadOnlyMemory<byte>>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Record-at-a-time reading copies each line, since no batch owns the read buffer.
        var reader = new JsonLinesReader(this);
        try
        {
            var buffer = new SourceBuffer<Record<ReadOnlyMemory<byte>>>(1);
            var more = true;
            while (more)
            {
                buffer.Begin(1);
                more = await reader.FillAsync(buffer, cancellationToken).ConfigureAwait(false);
                buffer.Seal();
                foreach (var part in buffer.SealedParts)
                {
                    var record = part.Batch.Items[0];
                    var copy = record.WithValue<ReadOnlyMemory<byte>>(record.Value.ToArray());
                    part.Batch.Release();
                    yield return copy;
                }
            }
        }
        finally
        {
            await reader.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override SourceReader<Record<ReadOnlyMemory<byte>>> CreateReader() => new JsonLinesReader(this);

    /// <inheritdoc />
    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var position in positions)
        {
            Interlocked.Exchange(ref _committed, position.Offset);
        }

        return default;
    }
}
