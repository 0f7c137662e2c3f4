using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;
using Microsoft.Win32.SafeHandles;

namespace DataWeaver.Configuration.Files;

/// <summary>
/// Reads records from a file, the files of a folder, the files matching a pattern (<c>in/*.csv</c>) or standard input
/// (path <c>-</c>), in a <see cref="Formats.RecordFileFormat"/>, gunzipping <c>.gz</c> files. Files are read one after
/// the other in name order; when they are done the folder is listed again and files that appeared meanwhile are read
/// too. Each file is a partition of its own with its own checkpoint, so a restart resumes every file where its
/// acknowledged records end. Undecodable records go to the pipeline's source error policy (dead letters) with their
/// original bytes and a message naming the file and position.
/// </summary>
/// <remarks>
/// Files may be appended to while they are read: a record is read only once it is complete (a line with its line end,
/// a whole message or block), so a record being written is never read half and no checkpoint lies inside it; the bytes
/// are reported as <see cref="FileSourceNoticeKind.UnterminatedTail"/> and read by the next run (see
/// <see cref="FileSourceOptions.ReadUnterminatedLastLine"/>). A checkpoint holds the file's identity (device and inode)
/// and a fingerprint of its first 4 KiB besides the position: a checkpoint of another file (rotated, replaced) or
/// beyond the end of a truncated file is not used; the file is read from its start and a notice says so.
/// With <see cref="FileSourceOptions.Follow"/> the source keeps reading files as they grow, across truncation and
/// rotation, until the pipeline stops (through <see cref="CreateReader"/>; <see cref="ReadAsync"/> reads each file once).
/// </remarks>
public sealed class FileSource : SourceConnector<JsonRecord>, ICheckpointedSource, IFileEndpoints
{
    private const int MaxNotices = 100;

    private readonly ConcurrentDictionary<int, FileCheckpoint> _partitions = new();
    private readonly ConcurrentDictionary<int, long> _acknowledged = new();
    private readonly ConcurrentDictionary<string, int> _newestPartition = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly List<FileSourceNotice> _notices = [];

    /// <summary>Creates the source.</summary>
    /// <param name="path">A file, a folder, a pattern with <c>*</c> or <c>?</c> in its last segment, or <c>-</c> for standard input.</param>
    /// <param name="options">The format and how to read.</param>
    /// <param name="name">The connector's name; <see langword="null"/> uses the file name.</param>
    /// <exception cref="ArgumentException">Standard input with a checkpoint store.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="FileSourceOptions.PollInterval"/> is out of its range.</exception>
    public FileSource(string path, FileSourceOptions options, string? name = null)
        : base(name ?? (path == "-" ? "stdin" : System.IO.Path.GetFileName(path)))
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        if (path == "-" && options.CheckpointStore is not null)
        {
            throw new ArgumentException("Standard input cannot resume from a checkpoint: leave the checkpoint store out.", nameof(options));
        }

        if (options.PollInterval < TimeSpan.FromMilliseconds(1) || options.PollInterval > TimeSpan.FromHours(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.PollInterval, "FileSourceOptions.PollInterval must be from 1 millisecond to 1 hour.");
        }

        Path = path;
        Options = options;
    }

    /// <summary>Gets the file, folder, pattern or <c>-</c> read.</summary>
    public string Path { get; }

    /// <summary>Gets the source's options.</summary>
    public FileSourceOptions Options { get; }

    /// <summary>Gets the store of the per-file checkpoints; <see langword="null"/> when the source keeps none.</summary>
    public ICheckpointStore? CheckpointStore => Options.CheckpointStore;

    /// <summary>
    /// Gets the key a run locks in <see cref="CheckpointStore"/> for the whole input (each file's positions are saved
    /// under a key of their own): <see cref="FileSourceOptions.CheckpointKeyPrefix"/> and a hash of the input's full path.
    /// </summary>
    public string CheckpointKey => Options.CheckpointKeyPrefix + "input:" + FileInputs.Hash(System.IO.Path.GetFullPath(Path));

    /// <summary>
    /// Gets what the source reads: the file, or the folder of a folder or pattern input (a sink writing anywhere in it is
    /// refused, since a later listing could read what it wrote); none for standard input.
    /// </summary>
    public IReadOnlyList<FileEndpoint> FileEndpoints
    {
        get
        {
            if (Path == "-")
            {
                return [];
            }

            var use = Options.CheckpointStore is null ? FileUse.Read : FileUse.ReadFromCheckpoint;
            var (folder, pattern) = FileInputs.Split(Path);
            return [new FileEndpoint(System.IO.Path.GetFullPath(pattern is null ? Path : folder), use)];
        }
    }

    /// <summary>Gets the notices of the source's runs, oldest first (the last 100).</summary>
    public IReadOnlyList<FileSourceNotice> Notices
    {
        get
        {
            lock (_lock)
            {
                return [.. _notices];
            }
        }
    }

    /// <inheritdoc />
    /// <exception cref="InputFileNotFoundException">A single input file, or the folder of a pattern, does not exist.</exception>
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        FileInputs.Check(Path, Options, Name);
        return default;
    }

    /// <inheritdoc />
    public override SourceReader<JsonRecord> CreateReader() => new FileSourceReader(this);

    /// <inheritdoc />
    public override async IAsyncEnumerable<JsonRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var inputs = new FileInputs(Path, Options, this);
        while (await inputs.OpenNextAsync(cancellationToken).ConfigureAwait(false) is { } file)
        {
            await using (file.ConfigureAwait(false))
            {
                while (await file.Reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    var item = file.Reader.Current;
                    yield return item.Error is { } error ? throw error : item.Payload is null ? item.Record : item.Record.Detach();
                }

                ReportTail(file);
            }
        }
    }

    /// <inheritdoc />
    public override async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (Options.CheckpointStore is not { } store)
        {
            return;
        }

        foreach (var position in positions)
        {
            // A followed file read again (truncated, rotated) is a newer partition under the same key: only it is saved.
            if (_partitions.TryGetValue(position.Partition, out var file)
                && _newestPartition.GetValueOrDefault(file.Key, position.Partition) == position.Partition)
            {
                var (length, hash) = file.Follow?.Fingerprint ?? default;
                var saved = new FileCheckpointIdentity(position.Offset, file.Identity, length, hash);
                await store.SaveAsync(file.Key, saved.ToPositions(), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    protected override void OnAcknowledged(SourcePosition position) =>
        _acknowledged.AddOrUpdate(position.Partition, position.Offset, (_, old) => Math.Max(old, position.Offset));

    /// <summary>Gets the resume position up to which the records of a partition were acknowledged; -1 for none.</summary>
    internal long Acknowledged(int partition) => _acknowledged.GetValueOrDefault(partition, -1);

    internal void MapPartition(int partition, FileCheckpoint checkpoint)
    {
        _partitions[partition] = checkpoint;
        _newestPartition.AddOrUpdate(checkpoint.Key, partition, (_, old) => Math.Max(old, partition));
    }

    /// <summary>Keeps and tells a notice.</summary>
    internal void Notify(FileSourceNoticeKind kind, string file, long position, long bytes, string message)
    {
        var notice = new FileSourceNotice(kind, file, position, bytes, message);
        lock (_lock)
        {
            if (_notices.Count == MaxNotices)
            {
                _notices.RemoveAt(0);
            }

            _notices.Add(notice);
        }

        Options.OnNotice?.Invoke(notice);
    }

    /// <summary>Once a file is read to its end: tells of bytes after its last complete record, left unread.</summary>
    internal void ReportTail(OpenFile file)
    {
        var reader = file.Reader;
        if (reader.IncompleteTailBytes > 0)
        {
            Notify(FileSourceNoticeKind.UnterminatedTail, file.Checkpoint.Name, reader.IncompleteTailPosition, reader.IncompleteTailBytes, string.Create(CultureInfo.InvariantCulture, $"'{file.Checkpoint.Name}' ends with {reader.IncompleteTailBytes} bytes that are not a complete record (at position {reader.IncompleteTailPosition}): a record still being written, or a last line without its line end. They were not read and not committed; the next run reads the record once it is complete."));
        }
    }

    /// <summary>
    /// Reads the files one after the other, each file a partition. When following, a file read again from its start
    /// (truncated, rotated) is a new partition, opened only once every record of the old one was acknowledged, so that
    /// the file's checkpoint never moves to the new partition while records of the old one may still be lost.
    /// </summary>
    private sealed class FileSourceReader : SourceReader<JsonRecord>
    {
        private readonly FileSource _source;
        private readonly FileInputs _inputs;
        private readonly CancellationTokenSource _stopping = new();
        private readonly bool _live;
        private readonly bool _follow;
        private OpenFile? _file;
        private Task<bool>? _pending; // a read of the followed file that waits for more bytes, across fills
        private long _lastResume = -1;
        private bool _fileEnded;
        private bool _atEnd; // a followed file whose reader saw its end (a reader that reads ahead): read on when it grows
        private bool _done;

        public FileSourceReader(FileSource source)
        {
            _source = source;
            _live = source.Path == "-";
            _follow = source.Options.Follow && !_live;
            _inputs = new FileInputs(source.Path, source.Options, source, _follow, _stopping.Token);
        }

        public override async ValueTask<bool> FillAsync(SourceBuffer<JsonRecord> buffer, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested || _done)
            {
                await _stopping.CancelAsync().ConfigureAwait(false);
                if (_pending is { IsCompletedSuccessfully: true, Result: true } && _file is { } file)
                {
                    _pending = null;
                    Add(buffer, file); // a read that completed: delivered by the drain
                }

                return false; // a drain: nothing more is read
            }

            using var registration = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), _stopping);
            try
            {
                return await FillCoreAsync(buffer, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
        }

        public override async ValueTask DisposeAsync()
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
            if (_pending is { } pending)
            {
                _pending = null;
                try
                {
                    await pending.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // the wait for more bytes, stopped
                }
            }

            if (_file is { } file)
            {
                _file = null;
                await file.DisposeAsync().ConfigureAwait(false);
            }

            _stopping.Dispose();
            await base.DisposeAsync().ConfigureAwait(false);
        }

        private async ValueTask<bool> FillCoreAsync(SourceBuffer<JsonRecord> buffer, CancellationToken cancellationToken)
        {
            while (!buffer.IsFull)
            {
                if (_file is null)
                {
                    _file = await _inputs.OpenNextAsync(_stopping.Token).ConfigureAwait(false);
                    if (_file is null)
                    {
                        if (!_follow || FileInputs.Split(_source.Path).Pattern is null)
                        {
                            _done = true;
                            return false;
                        }

                        if (buffer.Count > 0)
                        {
                            return true;
                        }

                        await Task.Delay(_source.Options.PollInterval, _source.Options.TimeProvider, _stopping.Token).ConfigureAwait(false);
                        continue; // a followed folder: wait for files to appear
                    }

                    Opened(_file);
                }

                if (_fileEnded)
                {
                    if (buffer.Count > 0)
                    {
                        return true; // hand the records over before waiting for their acknowledgement or the next file
                    }

                    await EndFileAsync(_file, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (_atEnd)
                {
                    if (buffer.Count > 0)
                    {
                        return true;
                    }

                    _fileEnded = !await ReadOnAsync(_file).ConfigureAwait(false);
                    _atEnd = false;
                    continue;
                }

                var reader = _file.Reader;
                if (_live && buffer.Count > 0 && !reader.IsNextBuffered)
                {
                    return true; // standard input: hand over what was read rather than wait for more
                }

                bool more;
                if (_pending is { } pending)
                {
                    _pending = null;
                    more = await pending.ConfigureAwait(false);
                }
                else
                {
                    var move = reader.MoveNextAsync(_stopping.Token);
                    if (_follow && buffer.Count > 0 && !move.IsCompleted)
                    {
                        _pending = move.AsTask(); // maybe waiting for a record still being written: hand over what was read
                        return true;
                    }

                    more = await move.ConfigureAwait(false);
                }

                if (!more)
                {
                    _atEnd = _follow && _file.Checkpoint.Follow is { Ended: FollowEnd.None } && !_source.Options.Format.ReadsRecordsAsTheyArrive;
                    _fileEnded = !_atEnd;
                    continue;
                }

                Add(buffer, _file);
            }

            return true;
        }

        private void Add(SourceBuffer<JsonRecord> buffer, OpenFile file)
        {
            var item = file.Reader.Current;
            var partition = file.Partition;
            _lastResume = item.ResumePosition;
            file.Resume = item.ResumePosition;
            if (item.Error is { } error)
            {
                buffer.Reject(error, new SourcePosition(partition, item.Position), new SourcePosition(partition, item.ResumePosition), item.Raw.Span);
            }
            else
            {
                buffer.Add(item.Record, new SourcePosition(partition, item.ResumePosition), item.Bytes, item.Payload);
            }
        }

        /// <summary>
        /// Waits until a followed file (whose reader saw its end) grows, and reads on with a new reader at the last
        /// position; <see langword="false"/> when its follow ended instead (truncated, rotated, a newer file).
        /// </summary>
        private async ValueTask<bool> ReadOnAsync(OpenFile file)
        {
            var follow = file.Checkpoint.Follow!;
            while (true)
            {
                var position = file.Raw!.Position;
                if (!await follow.WaitAsync(position, _stopping.Token).ConfigureAwait(false))
                {
                    return false;
                }

                if (RandomAccess.GetLength(file.Handle) > position)
                {
                    if (!await _inputs.ReadOnAsync(file, _stopping.Token).ConfigureAwait(false))
                    {
                        follow.MarkTruncated();
                        return false;
                    }

                    follow.Read();
                    return true;
                }
            }
        }

        private void Opened(OpenFile file)
        {
            _source.MapPartition(file.Partition, file.Checkpoint);
            _lastResume = -1;
            _fileEnded = false;
            _atEnd = false;
        }

        /// <summary>
        /// At the end of a file: moves on to the next file, or (a followed file truncated or rotated) reads the file at the
        /// path again from its start as the next partition, once every record of this one was acknowledged.
        /// </summary>
        private async ValueTask EndFileAsync(OpenFile file, CancellationToken cancellationToken)
        {
            var ended = file.Checkpoint.Follow?.Ended ?? FollowEnd.None;
            if (ended != FollowEnd.Truncated)
            {
                _source.ReportTail(file);
            }

            if (ended is not (FollowEnd.Truncated or FollowEnd.Rotated))
            {
                _file = null;
                await file.DisposeAsync().ConfigureAwait(false);
                return;
            }

            while (_lastResume >= 0 && _source.Acknowledged(file.Partition) < _lastResume)
            {
                await Task.Delay(_source.Options.PollInterval, _source.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }

            var name = file.Checkpoint.Name;
            OpenFile? next;
            while ((next = await _inputs.RestartAsync(file, ended == FollowEnd.Rotated).ConfigureAwait(false)) is null)
            {
                await Task.Delay(_source.Options.PollInterval, _source.Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }

            if (ended == FollowEnd.Truncated)
            {
                _source.Notify(FileSourceNoticeKind.Truncated, name, _lastResume, 0, $"'{name}' was truncated or rewritten while followed: it is read again from its start.");
            }
            else
            {
                _source.Notify(FileSourceNoticeKind.Replaced, name, _lastResume, 0, $"'{name}' was rotated while followed: the old file ({file.Checkpoint.Identity}) was read to its last complete record, and the new one ({next.Checkpoint.Identity}) is read from its start.");
            }

            _file = next;
            Opened(next);
        }
    }
}

/// <summary>
/// The checkpoint of one file: its key, its name as shown, its identity, and the follow that keeps the fingerprint of its
/// first bytes that commits store with the position (none for standard input).
/// </summary>
internal sealed record FileCheckpoint(string Key, string Name, FileIdentity Identity, FileFollow? Follow);

/// <summary>A file being read: its reader, partition, checkpoint, path and the handle it reads (none for standard input).</summary>
internal sealed class OpenFile(Formats.RecordFileReader reader, int partition, FileCheckpoint checkpoint, SafeFileHandle? handle, string filePath) : IAsyncDisposable
{
    private SafeFileHandle? _handle = handle;

    public int Partition { get; } = partition;

    public FileCheckpoint Checkpoint { get; } = checkpoint;

    public string FilePath { get; } = filePath;

    /// <summary>Gets or sets the reader (a followed file read on by a new reader replaces it).</summary>
    public Formats.RecordFileReader Reader { get; set; } = reader;

    /// <summary>Gets or sets the stream of the file's bytes under the reader; <see langword="null"/> for standard input.</summary>
    public FileHandleStream? Raw { get; set; }

    /// <summary>Gets or sets where reading resumes after the last record read (the checkpoint's position before any).</summary>
    public long Resume { get; set; }

    /// <summary>Gets the handle read.</summary>
    public SafeFileHandle Handle => _handle ?? throw new InvalidOperationException("The file has no handle.");

    /// <summary>Takes the handle over (a truncated file read again through it): disposing no longer closes it.</summary>
    public SafeFileHandle DetachHandle()
    {
        var handle = Handle;
        _handle = null;
        return handle;
    }

    public async ValueTask DisposeAsync()
    {
        await Reader.DisposeAsync().ConfigureAwait(false);
        _handle?.Dispose();
    }
}
