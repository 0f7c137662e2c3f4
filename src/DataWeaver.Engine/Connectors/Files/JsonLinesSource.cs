using System.Runtime.CompilerServices;
using DataWeaver.Checkpoints;
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
/// to resume; with a <see cref="JsonLinesSourceOptions.CheckpointStore"/> the source saves it on each commit
/// and resumes from it by itself. Decoding the JSON is the next step's business (e.g. a map with a deserializer), so it can run
/// in parallel.
/// </remarks>
public sealed class JsonLinesSource : SourceConnector<Record<ReadOnlyMemory<byte>>>
{
    private long _committed;
    private long _readFrom;

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
        _readFrom = Options.StartOffset;
        CheckpointKey = Options.CheckpointKey ?? DefaultCheckpointKey(path);
    }

    /// <summary>Gets the file read.</summary>
    public string FilePath { get; }

    /// <summary>Gets the source's options.</summary>
    public JsonLinesSourceOptions Options { get; }

    /// <summary>Gets the byte offset up to which every line was acknowledged and committed.</summary>
    public long CommittedOffset => Interlocked.Read(ref _committed);

    /// <summary>Gets the key of this source's checkpoint in <see cref="JsonLinesSourceOptions.CheckpointStore"/>.</summary>
    public string CheckpointKey { get; }

    /// <summary>Gets the byte offset the current (or last) run started reading at: a loaded checkpoint, or <see cref="JsonLinesSourceOptions.StartOffset"/>.</summary>
    public long ReadStartOffset => Interlocked.Read(ref _readFrom);

    /// <summary>Gets the checkpoint key a source reading <paramref name="path"/> uses unless told otherwise.</summary>
    /// <param name="path">The file read.</param>
    /// <returns><c>jsonl:</c> followed by the file's full path.</returns>
    public static string DefaultCheckpointKey(string path) => "jsonl:" + Path.GetFullPath(path);

    /// <summary>
    /// Opens the source: with a <see cref="JsonLinesSourceOptions.CheckpointStore"/>, loads the checkpoint and
    /// resumes from it.
    /// </summary>
    /// <param name="cancellationToken">Aborts the open.</param>
    /// <returns>A task that completes once the start offset is known.</returns>
    /// <exception cref="CheckpointException">
    /// The checkpoint is corrupt, lies beyond the end of the file, or not at a line start: the file was
    /// replaced, truncated or edited since.
    /// </exception>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        var start = Options.StartOffset;
        if (Options.CheckpointStore is { } store)
        {
            var positions = await store.LoadAsync(CheckpointKey, cancellationToken).ConfigureAwait(false);
            foreach (var position in positions ?? [])
            {
                if (position.Partition == 0)
                {
                    start = position.Offset;
                    CheckStart(start);
                    Interlocked.Exchange(ref _committed, start);
                }
            }
        }

        Interlocked.Exchange(ref _readFrom, start);
    }

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

        return Options.CheckpointStore is { } store && positions.Count > 0
            ? store.SaveAsync(CheckpointKey, [new SourcePosition(0, CommittedOffset)], cancellationToken)
            : default;
    }

    /// <summary>Checks that a checkpointed offset is the start of a line of the file as it is now.</summary>
    private void CheckStart(long offset)
    {
        using var handle = File.OpenHandle(FilePath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        var length = RandomAccess.GetLength(handle);
        if (offset > length)
        {
            throw new CheckpointException(FilePath, $"The checkpoint '{CheckpointKey}' is at byte offset {offset}, beyond the end of '{FilePath}' ({length} bytes): the file was replaced or truncated since. Delete the checkpoint to read the file from StartOffset.");
        }

        Span<byte> before = stackalloc byte[1];
        if (offset > 0 && offset < length && (RandomAccess.Read(handle, before, offset - 1) != 1 || before[0] != (byte)'\n'))
        {
            throw new CheckpointException(FilePath, $"The checkpoint '{CheckpointKey}' is at byte offset {offset} of '{FilePath}', which is not the start of a line: the file was replaced or edited since. Delete the checkpoint to read the file from StartOffset.");
        }
    }
}
