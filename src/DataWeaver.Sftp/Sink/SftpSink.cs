using System.Globalization;
using DataWeaver.Configuration.Formats;
using DataWeaver.Connectors;
using DataWeaver.Serialization.Json;
using DataWeaver.Sftp.Internal;

namespace DataWeaver.Sftp;

/// <summary>
/// Writes records to a file on an SFTP server in any format of the <c>file</c> sink (the same
/// <see cref="RecordFileFormat"/> writers), with the local file sink's rules: without
/// <see cref="SftpSinkOptions.Append"/> the run writes a temporary file and renames it over the target only when it
/// completes successfully; appending, a torn last record is cut first. A batch is acknowledged once the server confirmed
/// its bytes. The sink knows how long the file is after every acknowledged batch: a lost connection is made again, the
/// file cut back to that length (dropping a half-sent batch) and the batch written again, so reconnections neither lose
/// nor duplicate; a file found shorter than that (changed by someone else) fails the run before anything more is
/// acknowledged.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001:Types that own disposable fields should be disposable", Justification = "A batch buffer holds no unmanaged resource; the connector's end is CloseAsync.")]
public sealed class SftpSink : SinkConnector<JsonRecord>
{
    private const int TailChunk = 64 * 1024;

    private readonly BatchBuffer _buffer = new();
    private SftpSession? _session;
    private Stream? _stream;
    private RecordFileWriter? _writer;
    private string? _writing;
    private long _length;
    private bool _completed;

    /// <summary>Creates the sink.</summary>
    /// <param name="path">The remote file to write; relative paths start at the user's home folder. Its folder must exist.</param>
    /// <param name="options">The server, the format and how to write.</param>
    /// <param name="name">The connector's name; <see langword="null"/> uses <c>sftp</c>.</param>
    /// <exception cref="ArgumentException">The connection options are invalid, or <see cref="SftpSinkOptions.Append"/> with a format that cannot be appended to (avro).</exception>
    public SftpSink(string path, SftpSinkOptions options, string? name = null)
        : base(name ?? "sftp")
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Connection.Problems().ToList();
        if (options.Append && !options.Format.CanAppend)
        {
            problems.Add($"The {options.Format.Name} format cannot be appended to (its files start with a header): write a new file per run, or use a line format.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        Path = path;
        Options = options;
    }

    /// <summary>Gets the remote file written.</summary>
    public string Path { get; }

    /// <summary>Gets the sink's options.</summary>
    public SftpSinkOptions Options { get; }

    /// <summary>Gets how many bytes of a torn last record the last open cut from an appended file; 0 for none.</summary>
    public long TruncatedBytes { get; private set; }

    /// <inheritdoc />
    /// <exception cref="SftpException">The server cannot be reached, refuses the credentials or has another host key, or the file cannot be written.</exception>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        var session = new SftpSession(Options.Connection, Options.TimeProvider);
        await session.ConnectAsync(cancellationToken).ConfigureAwait(false);
        _session = session;
        _completed = false;
        TruncatedBytes = 0;
        _writing = Options.Append ? Path : RemoteFiles.TemporaryPathFor(Path);
        try
        {
            var client = session.Client;
            if (Options.Append)
            {
                _stream = await client.OpenAsync(_writing, FileMode.OpenOrCreate, FileAccess.ReadWrite, cancellationToken).ConfigureAwait(false);
                var length = _stream.Length;
                _length = Options.Format.EndsRecordsWithLineEnd ? await CompleteLinesLengthAsync(_stream, length, cancellationToken).ConfigureAwait(false) : length;
                if (_length < length)
                {
                    _stream.SetLength(_length);
                    TruncatedBytes = length - _length;
                }
            }
            else
            {
                _stream = await client.OpenAsync(_writing, FileMode.Create, FileAccess.Write, cancellationToken).ConfigureAwait(false);
                _length = 0;
            }
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw session.Classify(error, Display(_writing));
        }

        _buffer.Reset(_length);
        _writer = Options.Format.CreateWriter(_buffer);
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken = default)
    {
        var writer = _writer ?? throw new InvalidOperationException($"The sink '{Name}' is not open.");
        await writer.WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        await SendAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>At the successful end of a run: writes what ends the file and, without append, renames the temporary file over the target.</remarks>
    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        if (_writer is not { } writer || _completed)
        {
            return;
        }

        await writer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        await SendAsync(cancellationToken).ConfigureAwait(false);
        await writer.DisposeAsync().ConfigureAwait(false);
        _writer = null;
        await CloseStreamAsync().ConfigureAwait(false);
        if (!Options.Append)
        {
            await RenameAsync(cancellationToken).ConfigureAwait(false);
        }

        _completed = true;
    }

    /// <inheritdoc />
    /// <remarks>A run that did not complete leaves the target as it was: its temporary file is deleted.</remarks>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_writer is { } writer)
        {
            _writer = null;
            await writer.DisposeAsync().ConfigureAwait(false);
        }

        await CloseStreamAsync().ConfigureAwait(false);
        if (_session is { } session)
        {
            _session = null;
            if (!Options.Append && !_completed && _writing is { } temporary && session.Connected is { } client)
            {
                try
                {
                    await client.DeleteFileAsync(temporary, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception error) when (error is not OperationCanceledException)
                {
                    // best effort: a temporary file left behind never replaces the target
                }
            }

            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Where a line-format file's complete lines end: after its last line end (0 when it has none).</summary>
    private static async ValueTask<long> CompleteLinesLengthAsync(Stream stream, long length, CancellationToken cancellationToken)
    {
        var chunk = new byte[TailChunk];
        var end = length;
        while (end > 0)
        {
            var size = (int)Math.Min(TailChunk, end);
            stream.Position = end - size;
            await stream.ReadExactlyAsync(chunk.AsMemory(0, size), cancellationToken).ConfigureAwait(false);
            var newline = chunk.AsSpan(0, size).LastIndexOf((byte)'\n');
            if (newline >= 0)
            {
                return end - size + newline + 1;
            }

            end -= size;
        }

        return 0;
    }

    /// <summary>Sends what the writer put in the buffer at the acknowledged length; after a lost connection, cuts the file back to it and sends again.</summary>
    private async ValueTask SendAsync(CancellationToken cancellationToken)
    {
        var bytes = _buffer.Batch;
        if (bytes.Length == 0)
        {
            return;
        }

        var session = _session!;
        var losses = 0;
        while (true)
        {
            try
            {
                _stream ??= await ReopenAsync(session, cancellationToken).ConfigureAwait(false);
                if (Options.Append && (await session.Client.GetAttributesAsync(_writing!, cancellationToken).ConfigureAwait(false)).Size != _length)
                {
                    throw Changed("its length is not what this run wrote");
                }

                _stream.Position = _length;
                await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                _length += bytes.Length;
                _buffer.Reset(_length);
                return;
            }
            catch (Exception error) when (session.IsLost(error) && !cancellationToken.IsCancellationRequested
                && error is not SftpException && losses++ <= Options.Connection.MaxReconnectAttempts)
            {
                await CloseStreamAsync().ConfigureAwait(false);
                await session.ReconnectAsync(error, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is Renci.SshNet.Common.SftpPathNotFoundException)
            {
                throw Changed("it was deleted or moved");
            }
            catch (Exception error) when (error is not SftpException && error is not OperationCanceledException && !session.IsLost(error))
            {
                throw session.Classify(error, Display(_writing!));
            }
        }
    }

    /// <summary>Opens the file written again after a reconnection, cut back to the acknowledged length.</summary>
    private async ValueTask<Stream> ReopenAsync(SftpSession session, CancellationToken cancellationToken)
    {
        var stream = await session.Client.OpenAsync(_writing!, FileMode.Open, FileAccess.ReadWrite, cancellationToken).ConfigureAwait(false);
        if (stream.Length < _length)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            throw Changed(string.Create(CultureInfo.InvariantCulture, $"it is shorter than the {_length} bytes acknowledged"));
        }

        stream.SetLength(_length); // a batch half sent before the connection was lost
        return stream;
    }

    private async ValueTask RenameAsync(CancellationToken cancellationToken)
    {
        var session = _session!;
        var losses = 0;
        while (true)
        {
            try
            {
                session.Client.RenameFile(_writing!, Path, isPosix: true); // replaces the target at once (posix-rename@openssh.com)
                return;
            }
            catch (Exception error) when (session.IsLost(error) && !cancellationToken.IsCancellationRequested
                && error is not SftpException && losses++ <= Options.Connection.MaxReconnectAttempts)
            {
                await session.ReconnectAsync(error, cancellationToken).ConfigureAwait(false);
                if (!await session.Client.ExistsAsync(_writing!, cancellationToken).ConfigureAwait(false)
                    && (await session.Client.GetAttributesAsync(Path, cancellationToken).ConfigureAwait(false)).Size == _length)
                {
                    return; // the rename was done before the connection was lost
                }
            }
            catch (Exception error) when (error is not SftpException && error is not OperationCanceledException)
            {
                throw session.Classify(error, Display(Path));
            }
        }
    }

    private async ValueTask CloseStreamAsync()
    {
        if (_stream is { } stream)
        {
            _stream = null;
            try
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (SftpSession.IsConnectionLoss(error) || error is Renci.SshNet.Common.SshException)
            {
                // the connection is gone: nothing to release on the server
            }
        }
    }

    private SftpException Changed(string how) =>
        new(SftpErrorKind.OutputChanged, $"The remote output '{Display(_writing!)}' on {Options.Connection.Endpoint} was changed during the run ({how}): nothing more is written or acknowledged.");

    private string Display(string path) => _session?.Scrub(path) ?? path;
}
