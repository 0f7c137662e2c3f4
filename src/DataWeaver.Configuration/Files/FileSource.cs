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
/// </remarks>
public sealed class FileSource : SourceConnector<JsonRecord>, ICheckpointedSource, IFileEndpoints
{
    private const int MaxNotices = 100;

    private readonly ConcurrentDictionary<int, FileCheckpoint> _partitions = new();
    private readonly Lock _lock = new();
    private readonly List<FileSourceNotice> _notices = [];

    /// <summary>Creates the source.</summary>
    /// <param name="path">A file, a folder, a pattern with <c>*</c> or <c>?</c> in its last segment, or <c>-</c> for standard input.</param>
    /// <param name="options">The format and how to read.</param>
    /// <param name="name">The connector's name; <see langword="null"/> uses the file name.</param>
    /// <exception cref="ArgumentException">Standard input with a checkpoint store.</exception>
    public FileSource(string path, FileSourceOptions options, string? name = null)
        : base(name ?? (path == "-" ? "stdin" : System.IO.Path.GetFileName(path)))
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        if (path == "-" && options.CheckpointStore is not null)
        {
            throw new ArgumentException("Standard input cannot resume from a checkpoint: leave the checkpoint store out.", nameof(options));
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
            if (_partitions.TryGetValue(position.Partition, out var file))
            {
                List<SourcePosition> saved =
                [
                    new(FileInputs.PositionPartition, position.Offset),
                    new(FileInputs.DevicePartition, file.Identity.Device),
                    new(FileInputs.InodePartition, file.Identity.Inode),
                ];
                if (file.FingerprintLength > 0)
                {
                    saved.Add(new(FileInputs.FingerprintLengthPartition, file.FingerprintLength));
                    saved.Add(new(FileInputs.FingerprintHashPartition, file.Fingerprint));
                }

                await store.SaveAsync(file.Key, saved, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal void MapPartition(int partition, FileCheckpoint checkpoint) => _partitions[partition] = checkpoint;

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

    /// <summary>Reads the files one after the other, each file a partition.</summary>
    private sealed class FileSourceReader(FileSource source) : SourceReader<JsonRecord>
    {
        private readonly FileInputs _inputs = new(source.Path, source.Options, source);
        private readonly bool _live = source.Path == "-";
        private OpenFile? _file;
        private bool _done;

        public override async ValueTask<bool> FillAsync(SourceBuffer<JsonRecord> buffer, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested || _done)
            {
                return false; // a drain: nothing was read ahead
            }

            while (!buffer.IsFull)
            {
                if (_file is null)
                {
                    _file = await _inputs.OpenNextAsync(cancellationToken).ConfigureAwait(false);
                    if (_file is null)
                    {
                        _done = true;
                        return false;
                    }

                    source.MapPartition(_file.Partition, _file.Checkpoint);
                }

                var reader = _file.Reader;
                if (_live && buffer.Count > 0 && !reader.IsNextBuffered)
                {
                    return true; // standard input: hand over what was read rather than wait for more
                }

                if (!await reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    source.ReportTail(_file);
                    await _file.DisposeAsync().ConfigureAwait(false);
                    _file = null;
                    if (buffer.Count > 0)
                    {
                        return true;
                    }

                    continue;
                }

                var item = reader.Current;
                var partition = _file.Partition;
                if (item.Error is { } error)
                {
                    buffer.Reject(error, new SourcePosition(partition, item.Position), new SourcePosition(partition, item.ResumePosition), item.Raw.Span);
                }
                else
                {
                    buffer.Add(item.Record, new SourcePosition(partition, item.ResumePosition), item.Bytes, item.Payload);
                }
            }

            return true;
        }

        public override async ValueTask DisposeAsync()
        {
            if (_file is { } file)
            {
                _file = null;
                await file.DisposeAsync().ConfigureAwait(false);
            }

            await base.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>The checkpoint of one file: its key, its name as shown, and the identity and fingerprint commits store with the position.</summary>
internal sealed record FileCheckpoint(string Key, string Name, FileIdentity Identity, int FingerprintLength, long Fingerprint);

/// <summary>A file being read: its reader, partition, checkpoint and the handle it reads (none for standard input).</summary>
internal sealed class OpenFile(Formats.RecordFileReader reader, int partition, FileCheckpoint checkpoint, SafeFileHandle? handle) : IAsyncDisposable
{
    public Formats.RecordFileReader Reader { get; } = reader;

    public int Partition { get; } = partition;

    public FileCheckpoint Checkpoint { get; } = checkpoint;

    public async ValueTask DisposeAsync()
    {
        await Reader.DisposeAsync().ConfigureAwait(false);
        handle?.Dispose();
    }
}
