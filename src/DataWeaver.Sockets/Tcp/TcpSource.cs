using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Sockets.Internal;

namespace DataWeaver.Sockets;

/// <summary>
/// A TCP server whose clients' frames enter the pipeline: many connections at once, each cut into records newline-delimited or
/// length-prefixed (<see cref="TcpSourceOptions.Framing"/>), over TLS when a certificate is configured.
/// </summary>
/// <remarks>
/// <para>
/// Backpressure: at most <see cref="TcpSourceOptions.MaxInFlightRecords"/> frames are read and not yet committed; at the bound
/// the source stops reading its sockets, and TCP's flow control makes the clients wait.
/// </para>
/// <para>
/// Delivery: with <see cref="TcpSourceOptions.Acknowledgements"/> the source writes back to each client the count of its frames
/// that are committed, so a client knows what was delivered and sends again what was not (at least once). Without it, a frame
/// read and not yet written by the sinks is lost when the process dies, and the client cannot know which; see docs/sockets.md.
/// </para>
/// <para>
/// Errors: a frame above <see cref="TcpSourceOptions.MaxFrameBytes"/>, a bad length prefix, or a connection that ends inside a
/// frame is a <see cref="SocketFrameException"/> naming the connection and the byte offset, handed to the pipeline's error
/// policy with the frame's bytes (at most <c>MaxFrameBytes</c> of them). It counts as a frame for acknowledgements once handled.
/// </para>
/// <para>Positions: partition 0, offset the frame's number in this run (from 0); a restart does not resume: clients send again.</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A connector's life ends with CloseAsync, which disposes what it owns.")]
public sealed partial class TcpSource : SourceConnector<Record<ReadOnlyMemory<byte>>>
{
    private readonly Channel<FrameChunk> _queue = Channel.CreateUnbounded<FrameChunk>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Queue<Segment> _handed = new();
    private readonly Lock _handedLock = new();
    private readonly ConcurrentDictionary<long, TcpConnection> _connections = new();
    private readonly Signal _capacity = new();
    private CancellationTokenSource _closing = new();
    private Socket? _listener;
    private X509Certificate2? _certificate;
    private Task? _accepting;
    private long _inFlight;
    private long _peakInFlight;
    private long _connectionIds;
    private long _framesRead;
    private long _frameErrors;
    private long _refusedConnections;
    private long _connectionErrors;
    private long _acknowledgementsSent;
    private volatile bool _stopping;

    /// <summary>Creates the source.</summary>
    /// <param name="options">Where it listens and how it frames records.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>tcp</c>.</param>
    /// <exception cref="Errors.PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public TcpSource(TcpSourceOptions options, string? name = null)
        : base(name ?? "tcp")
    {
        ArgumentNullException.ThrowIfNull(options);
        SocketErrors.ThrowIfInvalid(options.Validate());
        Options = options;
    }

    /// <summary>Gets the options.</summary>
    public TcpSourceOptions Options { get; }

    /// <summary>Gets the address the source listens on once open (with the port chosen when port 0 was asked for).</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Gets how many frames are read and not yet committed.</summary>
    public long InFlightRecords => Interlocked.Read(ref _inFlight);

    /// <summary>Gets the most frames ever read (or reserved for the read being cut, up to 256 a connection) and not yet committed at once; never above the bound.</summary>
    public long PeakInFlightRecords => Interlocked.Read(ref _peakInFlight);

    /// <summary>Gets how many frames were read (good ones and frame errors).</summary>
    public long FramesRead => Interlocked.Read(ref _framesRead);

    /// <summary>Gets how many frames were errors (too large, bad length prefix, truncated).</summary>
    public long FrameErrors => Interlocked.Read(ref _frameErrors);

    /// <summary>Gets how many connections were accepted.</summary>
    public long ConnectionsAccepted => Interlocked.Read(ref _connectionIds);

    /// <summary>Gets how many connections were closed at once because <see cref="TcpSourceOptions.MaxConnections"/> was reached or the source was stopping.</summary>
    public long RefusedConnections => Interlocked.Read(ref _refusedConnections);

    /// <summary>Gets how many connections ended with an error (a reset, a failed TLS handshake).</summary>
    public long ConnectionErrors => Interlocked.Read(ref _connectionErrors);

    /// <summary>Gets how many acknowledgements were written to clients.</summary>
    public long AcknowledgementsSent => Interlocked.Read(ref _acknowledgementsSent);

    /// <summary>Gets how many connections are open.</summary>
    public int OpenConnections => _connections.Count;

    /// <inheritdoc />
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _ = Endpoints.TryParseListen(Options.Listen, out var endpoint); // validated in the constructor
        _closing = new CancellationTokenSource();
        var listener = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                listener.DualMode = true;
            }

            if (Options.CertificatePath is { } path)
            {
                _certificate = Tls.LoadServerCertificate(path, Options.CertificatePassword);
            }

            listener.Bind(endpoint);
            listener.Listen(512);
        }
        catch (Exception error) when (error is SocketException or System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException)
        {
            listener.Dispose();
            throw SocketErrors.ListenFailed("TCP source", Options.Listen, error, Options.Secrets);
        }

        LocalEndPoint = (IPEndPoint)listener.LocalEndPoint!;
        _listener = listener;
        _accepting = AcceptAsync(listener);
        return default;
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<Record<ReadOnlyMemory<byte>>> ReadAsync(CancellationToken cancellationToken = default) =>
        throw PushSource.ReadsThroughReader(nameof(TcpSource));

    /// <inheritdoc />
    public override SourceReader<Record<ReadOnlyMemory<byte>>> CreateReader() => new Reader(this);

    /// <inheritdoc />
    protected override void OnAcknowledged(SourcePosition position) => CompleteUpTo(position.Offset);

    /// <inheritdoc />
    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default) =>
        PushSource.Commit(positions, CompleteUpTo);

    /// <inheritdoc />
    /// <remarks>
    /// Stops listening and reading, writes each client its last acknowledgement (everything committed), closes the sending side and
    /// waits briefly for the client to close, so that the last acknowledgement is not lost to a reset.
    /// </remarks>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        _stopping = true;
        if (Interlocked.Exchange(ref _listener, null) is not { } listener)
        {
            return;
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        listener.Dispose();
        _capacity.Pulse();
        if (_accepting is { } accepting)
        {
            await accepting.ConfigureAwait(false);
        }

        foreach (var connection in _connections.Values)
        {
            connection.Close();
        }

        await Task.WhenAll(_connections.Values.Select(c => c.Completion)).WaitAsync(cancellationToken).ConfigureAwait(false);
        DropQueued();
        _certificate?.Dispose();
        _closing.Dispose();
    }

    private async Task AcceptAsync(Socket listener)
    {
        while (!_closing.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await listener.AcceptAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                if (_closing.IsCancellationRequested)
                {
                    return;
                }

                continue; // a connection reset before it was accepted
            }

            if (_stopping || _connections.Count >= Options.MaxConnections)
            {
                Interlocked.Increment(ref _refusedConnections);
                socket.Dispose();
                continue;
            }

            socket.NoDelay = true;
            var id = Interlocked.Increment(ref _connectionIds);
            var connection = new TcpConnection(this, id, socket);
            _connections[id] = connection;
            connection.Start();
        }
    }

    /// <summary>Takes up to <paramref name="wanted"/> frames into the in-flight bound; returns how many (0 at the bound, or once stopping).</summary>
    private int Reserve(int wanted)
    {
        for (var current = Volatile.Read(ref _inFlight); current < Options.MaxInFlightRecords && !_stopping; current = Volatile.Read(ref _inFlight))
        {
            var taken = (int)Math.Min(wanted, Options.MaxInFlightRecords - current);
            if (Interlocked.CompareExchange(ref _inFlight, current + taken, current) == current)
            {
                for (var peak = Volatile.Read(ref _peakInFlight); current + taken > peak; peak = Volatile.Read(ref _peakInFlight))
                {
                    if (Interlocked.CompareExchange(ref _peakInFlight, current + taken, peak) == peak)
                    {
                        break;
                    }
                }

                return taken;
            }
        }

        return 0;
    }

    private void Release(long frames)
    {
        if (frames > 0)
        {
            Interlocked.Add(ref _inFlight, -frames);
            _capacity.Pulse();
        }
    }

    /// <summary>Waits until the bound has room (or the source stops).</summary>
    private async Task WaitForCapacityAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = _capacity.Next;
            if (Volatile.Read(ref _inFlight) < Options.MaxInFlightRecords || _stopping)
            {
                return;
            }

            await next.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every frame handed over before <paramref name="resumeOffset"/> is committed: acknowledge it to its connection.</summary>
    private void CompleteUpTo(long resumeOffset)
    {
        long released = 0;
        lock (_handedLock)
        {
            while (_handed.TryPeek(out var segment) && segment.FirstOffset < resumeOffset)
            {
                var done = (int)Math.Min(segment.Count, resumeOffset - segment.FirstOffset);
                if (done > segment.Committed)
                {
                    released += done - segment.Committed;
                    segment.Committed = done;
                    segment.Connection.SetCommitted(segment.ConnectionFirstFrame + done);
                }

                if (done < segment.Count)
                {
                    break;
                }

                _handed.Dequeue();
            }
        }

        Release(released);
    }

    /// <summary>The last fill of a stopping pipeline is done: no more frames are read, and those queued are dropped (never acknowledged).</summary>
    private void StopReading()
    {
        _stopping = true;
        _capacity.Pulse();
        DropQueued();
    }

    private void DropQueued()
    {
        while (_queue.Reader.TryRead(out var chunk))
        {
            Release(chunk.Items.Length - chunk.Handed);
        }
    }

    /// <summary>A run of consecutive frames of one connection handed to the pipeline, waiting to be committed.</summary>
    private sealed class Segment(TcpConnection connection, long firstOffset, int count, long connectionFirstFrame)
    {
        public TcpConnection Connection { get; } = connection;

        public long FirstOffset { get; } = firstOffset;

        public int Count { get; } = count;

        public long ConnectionFirstFrame { get; } = connectionFirstFrame;

        public int Committed { get; set; }
    }

    /// <summary>Frames cut from one read of one connection: their bytes copied out of the socket buffer, ready for the pipeline.</summary>
    private sealed class FrameChunk(TcpConnection connection, byte[] data, FrameItem[] items, Dictionary<int, SocketFrameException>? errors, long connectionFirstFrame, DateTimeOffset timestamp)
    {
        public TcpConnection Connection { get; } = connection;

        public byte[] Data { get; } = data;

        public FrameItem[] Items { get; } = items;

        /// <summary>Gets the frame errors by index in <see cref="Items"/>, or <see langword="null"/> when every frame is good.</summary>
        public Dictionary<int, SocketFrameException>? Errors { get; } = errors;

        public long ConnectionFirstFrame { get; } = connectionFirstFrame;

        public DateTimeOffset Timestamp { get; } = timestamp;

        public int Handed { get; set; }
    }

    /// <summary>One frame of a chunk: where its bytes are in the chunk (no references, so its arrays need no zeroing).</summary>
    private readonly record struct FrameItem(int Start, int Length);
}
