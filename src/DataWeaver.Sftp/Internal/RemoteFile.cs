using System.Globalization;
using DataWeaver.Checkpoints;
using DataWeaver.Configuration.Formats;
using DataWeaver.Connectors.Files;

namespace DataWeaver.Sftp.Internal;

/// <summary>
/// The files a source reads, opened one after the other in name order; when they are done the folder is listed again and
/// files that appeared meanwhile are read too. Each file opened is the next partition.
/// </summary>
internal sealed class RemoteFileQueue(SftpSource source)
{
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);
    private readonly Queue<string> _queue = new();
    private int _partition;
    private bool _listedAfterLast;

    public async ValueTask<RemoteFile?> OpenNextAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_queue.Count == 0)
            {
                if (_listedAfterLast)
                {
                    return null;
                }

                foreach (var path in await RetryAsync(source, static (s, ct) => s.ListAsync(ct), cancellationToken).ConfigureAwait(false))
                {
                    if (_seen.Add(path))
                    {
                        _queue.Enqueue(path);
                    }
                }

                _listedAfterLast = _queue.Count == 0;
                continue;
            }

            var next = _queue.Dequeue();
            var partition = _partition++;
            return await RetryAsync(source, (s, ct) => RemoteFile.OpenAsync(s, next, partition, ct), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs an operation, connecting again and running it again when the connection was lost.</summary>
    internal static async ValueTask<T> RetryAsync<T>(SftpSource source, Func<SftpSource, CancellationToken, ValueTask<T>> operation, CancellationToken cancellationToken)
    {
        while (true)
        {
            try
            {
                return await operation(source, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (source.Session.IsLost(error) && !cancellationToken.IsCancellationRequested)
            {
                source.Notify($"The connection to {source.Options.Connection.Endpoint} was lost ({error.GetType().Name}): connecting again.");
                await source.Session.ReconnectAsync(error, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}

/// <summary>One remote file being read: its stream, its format's reader, its partition and checkpoint, and where reading resumes.</summary>
internal sealed class RemoteFile : IAsyncDisposable
{
    private readonly SftpSource _source;
    private Stream _stream;
    private bool _broken;
    private Exception? _lost;

    private RemoteFile(SftpSource source, string path, int partition, RemoteCheckpoint checkpoint, Stream stream, RecordFileReader reader, long resume)
    {
        _source = source;
        Path = path;
        Partition = partition;
        Checkpoint = checkpoint;
        _stream = stream;
        Reader = reader;
        Resume = resume;
    }

    public string Path { get; }

    public int Partition { get; }

    public RemoteCheckpoint Checkpoint { get; }

    public RecordFileReader Reader { get; private set; }

    /// <summary>Gets where reading resumes after the last item read (the checkpoint's position before any).</summary>
    public long Resume { get; private set; }

    /// <summary>Opens a file at its checkpoint (or its start, when the checkpoint belongs to another file).</summary>
    public static async ValueTask<RemoteFile> OpenAsync(SftpSource source, string path, int partition, CancellationToken cancellationToken)
    {
        var session = source.Session;
        var name = session.Scrub(path);
        var options = source.Options;
        Stream stream;
        try
        {
            stream = await session.Client.OpenAsync(path, FileMode.Open, FileAccess.Read, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (!session.IsLost(error) && error is not OperationCanceledException)
        {
            throw session.Classify(error, name);
        }

        try
        {
            var length = stream.Length;
            var head = new byte[(int)Math.Min(length, FileIdentity.FingerprintBytes)];
            await stream.ReadExactlyAsync(head, cancellationToken).ConfigureAwait(false);
            stream.Position = 0;
            var checkpoint = new RemoteCheckpoint(options.CheckpointKeyPrefix + RemoteFiles.Hash(options.Connection.Endpoint + path), name, head.Length, RemoteFiles.Fingerprint(head));
            var resume = await ResumePositionAsync(source, checkpoint, head, length, cancellationToken).ConfigureAwait(false);
            source.MapPartition(partition, checkpoint);
            var reader = await ReaderAtAsync(source, stream, name, resume, cancellationToken).ConfigureAwait(false);
            if (reader is null)
            {
                source.Notify($"The checkpoint of '{name}' (position {resume}) is not the end of a record in the file now: it was replaced or edited since, and is read from its start.");
                await stream.DisposeAsync().ConfigureAwait(false);
                stream = await session.Client.OpenAsync(path, FileMode.Open, FileAccess.Read, cancellationToken).ConfigureAwait(false);
                resume = 0;
                reader = (await ReaderAtAsync(source, stream, name, 0, cancellationToken).ConfigureAwait(false))!;
            }

            return new RemoteFile(source, path, partition, checkpoint, stream, reader, resume);
        }
        catch
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Reads the next item; a lost connection is made again and the file opened again at <see cref="Resume"/>.</summary>
    public async ValueTask<bool> MoveNextAsync(CancellationToken cancellationToken)
    {
        var losses = 0;
        while (true)
        {
            try
            {
                if (_broken)
                {
                    await _source.Session.ReconnectAsync(_lost!, cancellationToken).ConfigureAwait(false);
                    await ReopenAsync(cancellationToken).ConfigureAwait(false);
                    _broken = false;
                }

                if (!await Reader.MoveNextAsync(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }

                Resume = Reader.Current.ResumePosition;
                return true;
            }
            catch (Exception error) when (_source.Session.IsLost(error) && !cancellationToken.IsCancellationRequested
                && error is not SftpException { Kind: SftpErrorKind.Connection } && losses++ <= _source.Options.Connection.MaxReconnectAttempts)
            {
                _source.Notify(string.Create(CultureInfo.InvariantCulture, $"The connection to {_source.Options.Connection.Endpoint} was lost while reading '{Checkpoint.Name}' ({error.GetType().Name}): connecting again and reading on from position {Resume}."));
                if (!_broken)
                {
                    await DisposeReaderAsync().ConfigureAwait(false);
                }

                _broken = true;
                _lost = error;
            }
        }
    }

    public ValueTask DisposeAsync() => _broken ? default : DisposeReaderAsync();

    private static async ValueTask<long> ResumePositionAsync(SftpSource source, RemoteCheckpoint file, byte[] head, long length, CancellationToken cancellationToken)
    {
        if (source.Options.CheckpointStore is not { } store
            || FileCheckpointIdentity.FromPositions(await store.LoadAsync(file.Key, cancellationToken).ConfigureAwait(false) ?? []) is not { } saved)
        {
            return 0;
        }

        if (saved.FingerprintLength > length)
        {
            source.Notify(string.Create(CultureInfo.InvariantCulture, $"'{file.Name}' is shorter ({length} bytes) than when it was checkpointed: it was truncated or replaced, and is read from its start."));
            return 0;
        }

        if (saved.FingerprintLength > 0 && RemoteFiles.Fingerprint(head.AsSpan(0, saved.FingerprintLength)) != saved.Fingerprint)
        {
            source.Notify($"The first bytes of '{file.Name}' are not those checkpointed: it was replaced or rotated, and is read from its start.");
            return 0;
        }

        return saved.Position;
    }

    /// <summary>A reader of the stream moved to <paramref name="resume"/>; <see langword="null"/> when no record ends there (the file changed).</summary>
    private static async ValueTask<RecordFileReader?> ReaderAtAsync(SftpSource source, Stream stream, string name, long resume, CancellationToken cancellationToken)
    {
        var reader = source.Options.Format.CreateReader(stream, name);
        reader.ReadIncompleteLastRecord = source.Options.ReadUnterminatedLastLine;
        if (resume > 0)
        {
            try
            {
                await reader.SkipToAsync(resume, cancellationToken).ConfigureAwait(false);
            }
            catch (CheckpointException)
            {
                await reader.DisposeAsync().ConfigureAwait(false);
                return null;
            }
        }

        return reader;
    }

    private async ValueTask ReopenAsync(CancellationToken cancellationToken)
    {
        _stream = await _source.Session.Client.OpenAsync(Path, FileMode.Open, FileAccess.Read, cancellationToken).ConfigureAwait(false);
        Reader = await ReaderAtAsync(_source, _stream, Checkpoint.Name, Resume, cancellationToken).ConfigureAwait(false)
            ?? throw new SftpException(SftpErrorKind.OutputChanged, string.Create(CultureInfo.InvariantCulture, $"'{Checkpoint.Name}' changed while it was read: after a reconnection no record ends at position {Resume}."));
    }

    private async ValueTask DisposeReaderAsync()
    {
        try
        {
            await Reader.DisposeAsync().ConfigureAwait(false); // the reader owns the stream
            await _stream.DisposeAsync().ConfigureAwait(false);
        }
        catch (Exception error) when (SftpSession.IsConnectionLoss(error))
        {
            // the connection is gone already: nothing to release on the server
        }
    }
}
