using System.Buffers;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Records;
using DataWeaver.Sockets.Internal;

namespace DataWeaver.Sockets;

/// <summary>
/// Writes records as frames to a TCP peer (newline-delimited or length-prefixed), over TLS when configured. A broken connection
/// is opened again with exponential backoff and the whole batch written again (at least once: the peer may get part of it twice).
/// </summary>
/// <remarks>
/// A batch is acknowledged to the pipeline once it was flushed to the socket: the local kernel took it, nothing more. Only with
/// <see cref="TcpSinkOptions.Acknowledgements"/> (the peer writes back what it committed) is delivery end to end.
/// </remarks>
public sealed class TcpSink : SinkConnector<Record<ReadOnlyMemory<byte>>>
{
    private readonly ArrayBufferWriter<byte> _frames = new(64 * 1024);
    private readonly string _host;
    private readonly int _port;
    private X509Certificate2? _ca;
    private X509Certificate2Collection? _clientCertificates;
    private Connection? _connection;
    private long _connects;
    private long _batches;
    private long _records;

    /// <summary>Creates the sink.</summary>
    /// <param name="options">Where records go and how.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>tcp:{address}</c>.</param>
    /// <exception cref="PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public TcpSink(TcpSinkOptions options, string? name = null)
        : base(name ?? "tcp:" + options?.Address)
    {
        ArgumentNullException.ThrowIfNull(options);
        SocketErrors.ThrowIfInvalid(options.Validate());
        Options = options;
        Endpoints.TrySplit(options.Address, out _host, out _port);
    }

    /// <summary>Gets the options.</summary>
    public TcpSinkOptions Options { get; }

    /// <summary>Gets how many connections were opened (the first and every reconnect).</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Gets how many batches were written (and acknowledged by the peer, with acknowledgements).</summary>
    public long BatchesWritten => Interlocked.Read(ref _batches);

    /// <summary>Gets how many records were written.</summary>
    public long RecordsWritten => Interlocked.Read(ref _records);

    /// <inheritdoc />
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            _ca = Options.TrustedCaPath is { } ca ? Tls.LoadCa(ca) : null;
            _clientCertificates = Options.ClientCertificatePath is { } path ? [Tls.LoadServerCertificate(path, Options.ClientCertificatePassword)] : null;
        }
        catch (Exception error) when (error is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            throw new DataWeaverException(ErrorClass.Fatal, SocketErrors.Scrub($"{Name}: the TLS certificate files could not be read: {error.Message}", Options.Secrets));
        }

        return default;
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
    {
        _frames.ResetWrittenCount();
        foreach (var record in batch.Span)
        {
            FrameWriter.Write(_frames, Options.Framing, record.Value.Span);
        }

        var backoff = Options.InitialBackoff;
        Exception? last = null;
        for (var attempt = 1; attempt <= Options.MaxAttempts; attempt++)
        {
            try
            {
                var connection = _connection ??= await ConnectAsync(cancellationToken).ConfigureAwait(false);
                await connection.Stream.WriteAsync(_frames.WrittenMemory, cancellationToken).ConfigureAwait(false);
                await connection.Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                connection.Sent += batch.Length;
                if (Options.Acknowledgements)
                {
                    await connection.WaitForAcknowledgementAsync(Options, cancellationToken).ConfigureAwait(false);
                }

                Interlocked.Increment(ref _batches);
                Interlocked.Add(ref _records, batch.Length);
                return;
            }
            catch (Exception error) when (!cancellationToken.IsCancellationRequested && (SocketErrors.IsConnectionError(error) || error is InvalidDataException or OperationCanceledException))
            {
                last = error;
                await DropConnectionAsync().ConfigureAwait(false);
                if (attempt < Options.MaxAttempts)
                {
                    await Task.Delay(backoff, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
                    backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, Options.MaxBackoff.Ticks));
                }
            }
        }

        throw SocketErrors.Transient($"{Name}: a batch of {batch.Length} records could not be written after {Options.MaxAttempts} attempts", last, Options.Secrets);
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken = default) => DropConnectionAsync();

    private async ValueTask DropConnectionAsync()
    {
        if (Interlocked.Exchange(ref _connection, null) is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<Connection> ConnectAsync(CancellationToken cancellationToken)
    {
        using var timeout = new CancellationTokenSource(Options.Timeout, Options.TimeProvider);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(_host, _port, linked.Token).ConfigureAwait(false);
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (Options.Tls)
            {
                var tls = new SslStream(stream, leaveInnerStreamOpen: false, Tls.Validator(_ca));
                stream = tls;
                await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
                {
                    TargetHost = Options.TlsHostName ?? _host,
                    ClientCertificates = _clientCertificates,
                }, linked.Token).ConfigureAwait(false);
            }

            Interlocked.Increment(ref _connects);
            return new Connection(socket, stream);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>One connection: its stream, how many frames were sent on it, and the reader of the peer's acknowledgements.</summary>
    private sealed class Connection(Socket socket, Stream stream) : IAsyncDisposable
    {
        private PipeReader? _acks;

        public Stream Stream { get; } = stream;

        public long Sent { get; set; }

        public long Acknowledged { get; private set; }

        /// <summary>Reads acknowledgements until every frame sent on this connection is acknowledged.</summary>
        public async Task WaitForAcknowledgementAsync(TcpSinkOptions options, CancellationToken cancellationToken)
        {
            _acks ??= PipeReader.Create(Stream, new StreamPipeReaderOptions(bufferSize: 4096, leaveOpen: true));
            using var timeout = new CancellationTokenSource(options.Timeout, options.TimeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, cancellationToken);
            while (Acknowledged < Sent)
            {
                var result = await _acks.ReadAsync(linked.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                while (FrameWriter.TryReadAck(ref buffer, options.Framing, out var count))
                {
                    Acknowledged = Math.Max(Acknowledged, count);
                }

                _acks.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted && Acknowledged < Sent)
                {
                    throw new IOException("The peer closed the connection before acknowledging every frame.");
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_acks is { } acks)
            {
                await acks.CompleteAsync().ConfigureAwait(false);
            }

            await Stream.DisposeAsync().ConfigureAwait(false);
            socket.Dispose();
        }
    }
}
