using System.Runtime.CompilerServices;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Records;
using Microsoft.Win32.SafeHandles;

namespace DataWeaver.Connectors.Files;

/// <summary>
/// Reads a JSON-lines file (one JSON value per line) as records whose value is the line's bytes, streaming:
/// any file size, bounded memory. Lines are not copied: each record's value points into a pooled read
/// buffer that returns to its pool once the record is acknowledged. Empty lines are skipped; a trailing
/// <c>\r</c> is removed. A line is read only once its line end is in the file (see <see cref="JsonLinesSourceOptions.Follow"/>).
/// </summary>
/// <remarks>
/// <para>
/// Positions are byte offsets: a record's <see cref="Record{TValue}.Position"/> is the offset of its line's
/// first byte; its resume position is the offset just past its line end. After a commit,
/// <see cref="CommittedOffset"/> is the offset to pass as <see cref="JsonLinesSourceOptions.StartOffset"/>
/// to resume; with a <see cref="JsonLinesSourceOptions.CheckpointStore"/> the source saves it on each commit
/// and resumes from it by itself. Decoding the JSON is the next step's business (e.g. a map with a deserializer), so it can run
/// in parallel.
/// </para>
/// <para>
/// The partition of a position counts the files read in this run: 0 for the file opened, 1 for the file that replaced
/// it when a followed file was truncated or rotated, and so on. A checkpoint holds the offset (as partition 0) and
/// the file's identity: its device and inode (partitions 1 and 2) and the length and hash of its first bytes
/// (partitions 3 and 4), so that a checkpoint of another file (rotated, replaced) or of a truncated file is detected,
/// reported as a <see cref="JsonLinesSourceNotice"/>, and the file read from byte 0 instead.
/// </para>
/// </remarks>
public sealed class JsonLinesSource : SourceConnector<Record<ReadOnlyMemory<byte>>>, ICheckpointedSource, IFileEndpoints, ISourceProgress
{
    private const int MaxNotices = 100;

    private readonly Lock _lock = new();
    private readonly Dictionary<int, FileGeneration> _generations = [];
    private readonly List<JsonLinesSourceNotice> _notices = [];
    private FileGeneration? _current;
    private FileGeneration? _closed;
    private long _committed;
    private long _readFrom;
    private long _unterminated;

    /// <summary>Creates the source.</summary>
    /// <param name="path">The file to read.</param>
    /// <param name="options">Buffer sizes, limits and start offset; <see langword="null"/> uses the defaults.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses the file name.</param>
    public JsonLinesSource(string path, JsonLinesSourceOptions? options = null, string? name = null)
        : base(name ?? Path.GetFileName(options?.DisplayPath ?? path))
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        FilePath = path;
        Options = options ?? new JsonLinesSourceOptions();
        Options.Validate();
        DisplayPath = Options.DisplayPath ?? path;
        _committed = Options.StartOffset;
        _readFrom = Options.StartOffset;
        CheckpointKey = Options.CheckpointKey ?? DefaultCheckpointKey(path);
    }

    /// <summary>Gets the file read.</summary>
    public string FilePath { get; }

    /// <inheritdoc />
    /// <remarks>Bytes of the file read so far (up to the last complete line) of its length now, also after the run; unknown before the first run opens the file and with <see cref="JsonLinesSourceOptions.Follow"/>.</remarks>
    public SourceProgress? Progress
    {
        get
        {
            FileGeneration? file;
            lock (_lock)
            {
                file = _current ?? _closed;
            }

            if (Options.Follow || file is null)
            {
                return null;
            }

            try
            {
                // Once the run closed the file, its length by name: the last reading still says how far the run got.
                var total = file.Handle.IsClosed ? new FileInfo(FilePath).Length : RandomAccess.GetLength(file.Handle);
                return new SourceProgress(Volatile.Read(ref file.LastResume), total, SourceProgressUnit.Bytes);
            }
            catch (Exception exception) when (exception is IOException or ObjectDisposedException or UnauthorizedAccessException)
            {
                return null; // closed between the check and the read: the run is ending
            }
        }
    }

    /// <summary>Gets how the file is named in messages: <see cref="JsonLinesSourceOptions.DisplayPath"/>, else <see cref="FilePath"/>.</summary>
    public string DisplayPath { get; }

    /// <summary>Gets the source's options.</summary>
    public JsonLinesSourceOptions Options { get; }

    /// <summary>Gets the byte offset up to which every line was acknowledged and committed (in the file last committed).</summary>
    public long CommittedOffset => Interlocked.Read(ref _committed);

    /// <summary>Gets the key of this source's checkpoint in <see cref="JsonLinesSourceOptions.CheckpointStore"/>.</summary>
    public string CheckpointKey { get; }

    /// <inheritdoc />
    ICheckpointStore? ICheckpointedSource.CheckpointStore => Options.CheckpointStore;

    /// <summary>Gets the file read: resumed from a checkpoint when <see cref="JsonLinesSourceOptions.CheckpointStore"/> is set.</summary>
    public IReadOnlyList<FileEndpoint> FileEndpoints =>
        [new FileEndpoint(Path.GetFullPath(FilePath), Options.CheckpointStore is null ? FileUse.Read : FileUse.ReadFromCheckpoint)];

    /// <summary>Gets the byte offset the current (or last) run started reading at: a loaded checkpoint, or <see cref="JsonLinesSourceOptions.StartOffset"/>.</summary>
    public long ReadStartOffset => Interlocked.Read(ref _readFrom);

    /// <summary>
    /// Gets how many bytes after the last line end the last read left unread (a line without its line end yet); 0 when
    /// the file ended with a line end.
    /// </summary>
    public long UnterminatedTailBytes => Interlocked.Read(ref _unterminated);

    /// <summary>Gets the notices of the source's runs, oldest first (the last 100).</summary>
    public IReadOnlyList<JsonLinesSourceNotice> Notices
    {
        get
        {
            lock (_lock)
            {
                return [.. _notices];
            }
        }
    }

    /// <summary>Gets the checkpoint key a source reading <paramref name="path"/> uses unless told otherwise.</summary>
    /// <param name="path">The file read.</param>
    /// <returns><c>jsonl:</c> followed by the file's full path.</returns>
    public static string DefaultCheckpointKey(string path) => "jsonl:" + Path.GetFullPath(path);

    /// <summary>
    /// Opens the source: opens the file and, with a <see cref="JsonLinesSourceOptions.CheckpointStore"/>, loads the
    /// checkpoint and resumes from it. A checkpoint of another file (the path was rotated or replaced) or beyond the end
    /// of the file (it was truncated) is not used: the file is read from byte 0, and a <see cref="JsonLinesSourceNotice"/> says so.
    /// </summary>
    /// <param name="cancellationToken">Aborts the open.</param>
    /// <returns>A task that completes once the start offset is known.</returns>
    /// <exception cref="InputFileNotFoundException">The file does not exist.</exception>
    /// <exception cref="CheckpointException">
    /// The checkpoint is corrupt, or (a checkpoint of an earlier version, without the file's identity) not at a line start.
    /// </exception>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        CloseFiles();
        var handle = OpenFile(FilePath);
        try
        {
            var generation = new FileGeneration(0, handle, FileIdentity.Of(handle));
            var start = Options.StartOffset;
            if (Options.CheckpointStore is { } store)
            {
                var positions = await store.LoadAsync(CheckpointKey, cancellationToken).ConfigureAwait(false);
                if (positions is not null && FileCheckpointIdentity.FromPositions(positions) is { } saved)
                {
                    start = Resume(generation, saved);
                }
            }

            generation.Acknowledged = start;
            generation.LastResume = start;
            lock (_lock)
            {
                _generations[0] = generation;
                _current = generation;
            }

            Interlocked.Exchange(ref _committed, start);
            Interlocked.Exchange(ref _readFrom, start);
            Interlocked.Exchange(ref _unterminated, 0);
        }
        catch
        {
            CloseFiles();
            handle.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        CloseFiles();
        return default;
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<Record<ReadOnlyMemory<byte>>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        // Record-at-a-time reading copies each line, since no batch owns the read buffer.
        bool wasOpen;
        lock (_lock)
        {
            wasOpen = _current is not null;
        }

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
            if (!wasOpen)
            {
                CloseFiles(); // opened for this enumeration only
            }
        }
    }

    /// <inheritdoc />
    public override SourceReader<Record<ReadOnlyMemory<byte>>> CreateReader() => new JsonLinesReader(this);

    /// <inheritdoc />
    /// <remarks>
    /// Saves the position of the newest file read (the highest partition given) with that file's identity. A file
    /// replaces another only once every record of the other was acknowledged, so that position covers all earlier files.
    /// </remarks>
    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (positions.Count == 0)
        {
            return default;
        }

        var newest = positions[0];
        foreach (var position in positions)
        {
            if (position.Partition > newest.Partition)
            {
                newest = position;
            }
        }

        FileGeneration? generation;
        lock (_lock)
        {
            _generations.TryGetValue(newest.Partition, out generation);
            if (generation is not null)
            {
                // Files older than the one committed are done with.
                foreach (var old in _generations.Values.Where(g => g.Number < newest.Partition && g != _current).ToList())
                {
                    _generations.Remove(old.Number);
                    old.Handle.Dispose();
                }
            }
        }

        Interlocked.Exchange(ref _committed, newest.Offset);
        if (Options.CheckpointStore is not { } store)
        {
            return default;
        }

        if (generation is null)
        {
            return store.SaveAsync(CheckpointKey, [new SourcePosition(FileCheckpointIdentity.PositionPartition, newest.Offset)], cancellationToken);
        }

        var (length, hash) = generation.FingerprintUpTo(newest.Offset);
        return store.SaveAsync(CheckpointKey, new FileCheckpointIdentity(newest.Offset, generation.Identity, length, hash).ToPositions(), cancellationToken);
    }

    /// <inheritdoc />
    protected internal override void OnAcknowledged(SourcePosition position)
    {
        FileGeneration? generation;
        lock (_lock)
        {
            _generations.TryGetValue(position.Partition, out generation);
        }

        if (generation is not null)
        {
            Volatile.Write(ref generation.Acknowledged, position.Offset);
        }
    }

    /// <summary>Gets the file being read now.</summary>
    internal FileGeneration Current
    {
        get
        {
            lock (_lock)
            {
                if (_current is null)
                {
                    // Read without OpenAsync (e.g. ReadAsync called directly): from ReadStartOffset, no checkpoint.
                    var handle = OpenFile(FilePath);
                    _current = new FileGeneration(0, handle, FileIdentity.Of(handle)) { Acknowledged = ReadStartOffset, LastResume = ReadStartOffset };
                    _generations[0] = _current;
                }

                return _current;
            }
        }
    }

    /// <summary>Makes <paramref name="handle"/> the file read from now on, as the next partition (a truncated or rotated file).</summary>
    internal FileGeneration Replace(SafeFileHandle handle)
    {
        lock (_lock)
        {
            var next = new FileGeneration((_current?.Number ?? -1) + 1, handle, FileIdentity.Of(handle));
            _generations[next.Number] = next;
            _current = next;
            return next;
        }
    }

    /// <summary>Records how many bytes after the last line end the reader left unread.</summary>
    internal void SetUnterminated(long bytes) => Interlocked.Exchange(ref _unterminated, bytes);

    /// <summary>Keeps and tells a notice.</summary>
    internal void Notify(JsonLinesSourceNoticeKind kind, long offset, long bytes, string message)
    {
        var notice = new JsonLinesSourceNotice(kind, offset, bytes, message);
        lock (_lock)
        {
            if (_notices.Count == MaxNotices)
            {
                _notices.RemoveAt(0);
            }

            _notices.Add(notice);
        }

        Diagnostics.Internal.EngineMeter.SourceNotices.Add(1, new(Diagnostics.DataWeaverTags.Source, Name), new(Diagnostics.DataWeaverTags.NoticeKind, kind.ToString()));
        Options.OnNotice?.Invoke(notice);
    }

    /// <summary>Opens the file for reading, letting writers append, truncate, rename and delete it meanwhile.</summary>
    internal SafeFileHandle OpenFile(string path)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, FileOptions.Asynchronous | FileOptions.SequentialScan);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new InputFileNotFoundException(DisplayPath, $"The input file '{DisplayPath}' of the source '{Name}' does not exist.");
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The runtime's message names the path as given, which may hold a secret.
            throw new IOException($"The input file '{DisplayPath}' of the source '{Name}' cannot be opened: {exception.GetType().Name}.");
        }
    }

    /// <summary>Decides where to start in the opened file given its checkpoint.</summary>
    private long Resume(FileGeneration file, FileCheckpointIdentity saved)
    {
        var offset = saved.Position;
        switch (saved.Check(file.Handle, file.Identity, byteOffset: true))
        {
            case FileCheckpointMatch.Unidentified:
                // A checkpoint of an earlier version: only the position.
                CheckStart(file, offset, RandomAccess.GetLength(file.Handle));
                return offset;
            case FileCheckpointMatch.AnotherFile:
                Notify(JsonLinesSourceNoticeKind.Replaced, offset, 0, $"The checkpoint '{CheckpointKey}' (byte offset {offset}) is of another file ({saved.Identity}) than '{DisplayPath}' is now ({file.Identity}): the file was rotated or replaced, so it is read from byte 0. Lines the old file had after the checkpoint were not read here.");
                return 0;
            case FileCheckpointMatch.Truncated:
                Notify(JsonLinesSourceNoticeKind.Truncated, offset, 0, $"The checkpoint '{CheckpointKey}' is at byte offset {offset}, beyond the end of '{DisplayPath}' ({RandomAccess.GetLength(file.Handle)} bytes): the file was truncated, so it is read from byte 0.");
                return 0;
            case FileCheckpointMatch.Rewritten:
                Notify(JsonLinesSourceNoticeKind.Replaced, offset, 0, $"The first {saved.FingerprintLength} bytes of '{DisplayPath}' are not those checkpointed in '{CheckpointKey}' (byte offset {offset}): the file was replaced or rewritten, so it is read from byte 0.");
                return 0;
            default:
                return offset;
        }
    }

    /// <summary>Checks that a checkpointed offset is the start of a line of the file as it is now.</summary>
    private void CheckStart(FileGeneration file, long offset, long length)
    {
        if (offset > length)
        {
            throw new CheckpointException(DisplayPath, $"The checkpoint '{CheckpointKey}' is at byte offset {offset}, beyond the end of '{DisplayPath}' ({length} bytes): the file was replaced or truncated since. Delete the checkpoint to read the file from StartOffset.");
        }

        Span<byte> before = stackalloc byte[1];
        if (offset > 0 && offset < length && (RandomAccess.Read(file.Handle, before, offset - 1) != 1 || before[0] != (byte)'\n'))
        {
            throw new CheckpointException(DisplayPath, $"The checkpoint '{CheckpointKey}' is at byte offset {offset} of '{DisplayPath}', which is not the start of a line: the file was replaced or edited since. Delete the checkpoint to read the file from StartOffset.");
        }
    }

    private void CloseFiles()
    {
        lock (_lock)
        {
            foreach (var generation in _generations.Values)
            {
                generation.Handle.Dispose();
            }

            _generations.Clear();
            _closed = _current ?? _closed; // how far the run got stays readable (Progress)
            _current = null;
        }
    }

    /// <summary>One file read in a run: a partition of the source's positions.</summary>
    internal sealed class FileGeneration(int number, SafeFileHandle handle, FileIdentity identity)
    {
        /// <summary>The resume offset the engine acknowledged last (written by <see cref="OnAcknowledged"/>).</summary>
        public long Acknowledged;

        /// <summary>The resume offset of the last record or rejection the reader produced from this file.</summary>
        public long LastResume;

        private readonly Lock _fingerprintLock = new();
        private int _fingerprintLength;
        private long _fingerprint;

        public int Number { get; } = number;

        public SafeFileHandle Handle { get; } = handle;

        public FileIdentity Identity { get; } = identity;

        /// <summary>Gets the fingerprint of the file's first bytes, up to <paramref name="offset"/> (which was read, so they are there).</summary>
        public (int Length, long Hash) FingerprintUpTo(long offset)
        {
            var length = (int)Math.Min(offset, FileIdentity.FingerprintBytes);
            lock (_fingerprintLock)
            {
                if (length > _fingerprintLength && !Handle.IsClosed && FileIdentity.Fingerprint(Handle, length) is { } hash)
                {
                    _fingerprintLength = length;
                    _fingerprint = hash;
                }

                return (_fingerprintLength, _fingerprint);
            }
        }
    }
}
