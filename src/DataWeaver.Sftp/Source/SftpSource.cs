using System.Collections.Concurrent;
using System.Globalization;
using System.Runtime.CompilerServices;
using DataWeaver.Checkpoints;
using DataWeaver.Configuration.Formats;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;
using DataWeaver.Sftp.Internal;

namespace DataWeaver.Sftp;

/// <summary>
/// Reads records from files on an SFTP server: one file, the files of a folder, or the files matching a pattern
/// (<c>/in/*.csv</c>), in name order, in any format of the <c>file</c> source (the same <see cref="RecordFileFormat"/>
/// readers). Each file is a partition with its own checkpoint, so a restart resumes every file where its acknowledged
/// records end. Undecodable records go to the pipeline's source error policy with their original bytes.
/// </summary>
/// <remarks>
/// A record is read only once it is complete (a line with its line end): bytes after a file's last complete record are
/// neither read nor committed, a notice says so, and a later run reads the record once it is complete. A checkpoint
/// holds the file's size and a hash of its first 4 KiB besides the position: a file shorter than that, with other first
/// bytes, or ending before the position was replaced, rotated or truncated, and is read from its start with a notice.
/// (SFTP tells no inode, so a replacement with the same first 4 KiB and at least the checkpointed length is taken for
/// the same file.) A lost connection is made again (<see cref="SftpConnectionOptions.MaxReconnectAttempts"/>) and the file
/// read on from the last record read.
/// </remarks>
public sealed class SftpSource : SourceConnector<JsonRecord>, ICheckpointedSource
{
    private const int MaxNotices = 100;

    private readonly ConcurrentDictionary<int, RemoteCheckpoint> _partitions = new();
    private readonly Lock _lock = new();
    private readonly List<string> _notices = [];
    private SftpSession? _session;

    /// <summary>Creates the source.</summary>
    /// <param name="path">A remote file, folder, or pattern with <c>*</c> or <c>?</c> in its last segment; relative paths start at the user's home folder.</param>
    /// <param name="options">The server, the format and how to read.</param>
    /// <param name="name">The connector's name; <see langword="null"/> uses <c>sftp</c>.</param>
    /// <exception cref="ArgumentException">The connection options are invalid (every problem is listed).</exception>
    public SftpSource(string path, SftpSourceOptions options, string? name = null)
        : base(name ?? "sftp")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Connection.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        Path = path;
        Options = options;
    }

    /// <summary>Gets the remote file, folder or pattern read.</summary>
    public string Path { get; }

    /// <summary>Gets the source's options.</summary>
    public SftpSourceOptions Options { get; }

    /// <inheritdoc />
    public ICheckpointStore? CheckpointStore => Options.CheckpointStore;

    /// <summary>Gets the key a run locks in <see cref="CheckpointStore"/>: <see cref="SftpSourceOptions.CheckpointKeyPrefix"/> and a hash of the server and path.</summary>
    public string CheckpointKey => Options.CheckpointKeyPrefix + "input:" + RemoteFiles.Hash(Options.Connection.Endpoint + Path);

    /// <summary>Gets the notices of the source's runs, oldest first (the last 100).</summary>
    public IReadOnlyList<string> Notices
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
    /// <exception cref="SftpException">The server cannot be reached, refuses the credentials or has another host key, or the path does not exist.</exception>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        var session = new SftpSession(Options.Connection, Options.TimeProvider);
        await session.ConnectAsync(cancellationToken).ConfigureAwait(false);
        _session = session;
        await ListAsync(cancellationToken).ConfigureAwait(false); // a missing path fails the open
    }

    /// <inheritdoc />
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_session is { } session)
        {
            _session = null;
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override SourceReader<JsonRecord> CreateReader() => new SftpSourceReader(this);

    /// <inheritdoc />
    public override async IAsyncEnumerable<JsonRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var files = new RemoteFileQueue(this);
        while (await files.OpenNextAsync(cancellationToken).ConfigureAwait(false) is { } file)
        {
            await using (file.ConfigureAwait(false))
            {
                while (await file.MoveNextAsync(cancellationToken).ConfigureAwait(false))
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
                var saved = new FileCheckpointIdentity(position.Offset, default, file.FingerprintLength, file.Fingerprint);
                await store.SaveAsync(file.Key, saved.ToPositions(), cancellationToken).ConfigureAwait(false);
            }
        }
    }

    internal SftpSession Session => _session ?? throw new InvalidOperationException($"The source '{Name}' is not open.");

    /// <summary>Lists the files to read, in name order (full remote paths).</summary>
    internal async ValueTask<List<string>> ListAsync(CancellationToken cancellationToken)
    {
        var session = Session;
        var (folder, pattern) = RemoteFiles.Split(Path);
        try
        {
            if (pattern is null)
            {
                var attributes = await session.Client.GetAttributesAsync(Path, cancellationToken).ConfigureAwait(false);
                if (!attributes.IsDirectory)
                {
                    return [Path];
                }
            }

            List<string> names = [];
            await foreach (var entry in session.Client.ListDirectoryAsync(folder, cancellationToken).ConfigureAwait(false))
            {
                if (entry.IsRegularFile && !entry.Name.StartsWith('.') && (pattern is null || RemoteFiles.Matches(pattern, entry.Name)))
                {
                    names.Add(entry.Name);
                }
            }

            names.Sort(StringComparer.Ordinal);
            return [.. names.Select(n => RemoteFiles.Combine(folder, n))];
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw session.Classify(error, session.Scrub(pattern is null ? Path : folder));
        }
    }

    internal void MapPartition(int partition, RemoteCheckpoint checkpoint) => _partitions[partition] = checkpoint;

    internal void Notify(string message)
    {
        lock (_lock)
        {
            if (_notices.Count == MaxNotices)
            {
                _notices.RemoveAt(0);
            }

            _notices.Add(message);
        }

        Options.OnNotice?.Invoke(message);
    }

    internal void ReportTail(RemoteFile file)
    {
        var reader = file.Reader;
        if (reader.IncompleteTailBytes > 0)
        {
            Notify(string.Create(CultureInfo.InvariantCulture, $"'{file.Checkpoint.Name}' ends with {reader.IncompleteTailBytes} bytes that are not a complete record (at position {reader.IncompleteTailPosition}): a record still being written, or a last line without its line end. They were not read and not committed; the next run reads the record once it is complete."));
        }
    }

    /// <summary>Reads the files one after the other, each file a partition; a lost connection is made again and the file read on.</summary>
    private sealed class SftpSourceReader(SftpSource source) : SourceReader<JsonRecord>
    {
        private readonly RemoteFileQueue _files = new(source);
        private RemoteFile? _file;
        private bool _done;

        public override async ValueTask<bool> FillAsync(SourceBuffer<JsonRecord> buffer, CancellationToken cancellationToken)
        {
            if (cancellationToken.IsCancellationRequested || _done)
            {
                return false;
            }

            try
            {
                while (!buffer.IsFull)
                {
                    if (_file is null)
                    {
                        _file = await _files.OpenNextAsync(cancellationToken).ConfigureAwait(false);
                        if (_file is null)
                        {
                            _done = true;
                            return false;
                        }
                    }

                    if (!await _file.MoveNextAsync(cancellationToken).ConfigureAwait(false))
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

                    var item = _file.Reader.Current;
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
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return false;
            }
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

/// <summary>The checkpoint of one remote file: its key, its name as shown, and the fingerprint of its first bytes that commits store.</summary>
internal sealed record RemoteCheckpoint(string Key, string Name, int FingerprintLength, long Fingerprint);
