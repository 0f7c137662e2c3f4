using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Sockets.Internal;

namespace DataWeaver.Sockets;

/// <summary>
/// Receives UDP datagrams, one record each. UDP is lossy: a datagram can be lost on the way, dropped by the kernel when the
/// receive buffer is full, or arrive twice or out of order, and nothing tells the sender. This source counts what it can see
/// being dropped (<see cref="DroppedOversized"/>, <see cref="DroppedUndecodable"/>, <see cref="DroppedOverruns"/>) and reports
/// it to the <c>DataWeaver.Sockets</c> meter; it cannot count what the network lost.
/// </summary>
/// <remarks>
/// <para>Positions: partition 0, offset the datagram's number in this run. There is nothing to resume from: a restart reads what arrives from then on.</para>
/// <para>An oversized or undecodable datagram is a <see cref="SocketFrameException"/> naming the sender, handed to the error policy with its bytes (at most <see cref="UdpSourceOptions.MaxDatagramBytes"/>).</para>
/// </remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A connector's life ends with CloseAsync, which disposes what it owns.")]
public sealed class UdpSource : SourceConnector<Record<ReadOnlyMemory<byte>>>
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
    private readonly Channel<Datagram> _queue = Channel.CreateUnbounded<Datagram>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
    private readonly Signal _capacity = new();
    private CancellationTokenSource _closing = new();
    private Socket? _socket;
    private UdpDrops? _drops;
    private Task? _receiving;
    private long _inFlight;
    private long _released;
    private long _received;
    private long _oversized;
    private long _undecodable;
    private long _receiveErrors;
    private long _overrunsAtOpen;
    private long? _finalOverruns;
    private volatile bool _stopping;

    /// <summary>Creates the source.</summary>
    /// <param name="options">Where it listens and what it takes.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>udp</c>.</param>
    /// <exception cref="Errors.PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public UdpSource(UdpSourceOptions options, string? name = null)
        : base(name ?? "udp")
    {
        ArgumentNullException.ThrowIfNull(options);
        SocketErrors.ThrowIfInvalid(options.Validate());
        Options = options;
    }

    /// <summary>Gets the options.</summary>
    public UdpSourceOptions Options { get; }

    /// <summary>Gets the address the source listens on once open.</summary>
    public IPEndPoint? LocalEndPoint { get; private set; }

    /// <summary>Gets how many datagrams were received (records and those dropped as oversized or undecodable).</summary>
    public long DatagramsReceived => Interlocked.Read(ref _received);

    /// <summary>Gets how many datagrams were larger than <see cref="UdpSourceOptions.MaxDatagramBytes"/>.</summary>
    public long DroppedOversized => Interlocked.Read(ref _oversized);

    /// <summary>Gets how many datagrams failed the <see cref="UdpSourceOptions.PayloadCheck"/>.</summary>
    public long DroppedUndecodable => Interlocked.Read(ref _undecodable);

    /// <summary>
    /// Gets how many datagrams the kernel dropped because the socket's receive buffer was full (the source at its in-flight bound,
    /// or slower than the senders), since the source opened; <see langword="null"/> where the system does not show it (it does on
    /// Linux, from <c>/proc/net/udp</c>).
    /// </summary>
    public long? DroppedOverruns => _finalOverruns ?? (_drops?.Read() is { } drops ? drops - _overrunsAtOpen : null);

    /// <summary>Gets how many receives failed with a socket error (the source receives on); none is expected on a socket that only receives.</summary>
    public long ReceiveErrors => Interlocked.Read(ref _receiveErrors);

    /// <summary>Gets how many datagrams are received and not yet committed.</summary>
    public long InFlightRecords => Interlocked.Read(ref _inFlight);

    /// <inheritdoc />
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _ = Endpoints.TryParseListen(Options.Listen, out var endpoint); // validated in the constructor
        var socket = new Socket(endpoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (endpoint.Address.Equals(IPAddress.IPv6Any))
            {
                socket.DualMode = true;
            }

            if (Options.ReceiveBufferBytes is { } size)
            {
                socket.ReceiveBufferSize = size;
            }

            socket.Bind(endpoint);
        }
        catch (SocketException error)
        {
            socket.Dispose();
            throw SocketErrors.ListenFailed("UDP source", Options.Listen, error, []);
        }

        _closing = new CancellationTokenSource();
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
        _drops = new UdpDrops(socket);
        _finalOverruns = null;
        _overrunsAtOpen = _drops.Read() ?? 0;
        _socket = socket;
        SocketsMeter.Track(this);
        _receiving = ReceiveAsync(socket);
        return default;
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<Record<ReadOnlyMemory<byte>>> ReadAsync(CancellationToken cancellationToken = default) =>
        throw PushSource.ReadsThroughReader(nameof(UdpSource));

    /// <inheritdoc />
    public override SourceReader<Record<ReadOnlyMemory<byte>>> CreateReader() => new Reader(this);

    /// <inheritdoc />
    protected override void OnAcknowledged(SourcePosition position) => ReleaseUpTo(position.Offset);

    /// <inheritdoc />
    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default) =>
        PushSource.Commit(positions, ReleaseUpTo);

    /// <inheritdoc />
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        _stopping = true;
        if (Interlocked.Exchange(ref _socket, null) is not { } socket)
        {
            return;
        }

        SocketsMeter.Forget(this);
        await _closing.CancelAsync().ConfigureAwait(false);
        _capacity.Pulse();
        if (_receiving is { } receiving)
        {
            await receiving.ConfigureAwait(false);
        }

        _finalOverruns = DroppedOverruns; // the kernel forgets the count with the socket
        socket.Dispose();
        _closing.Dispose();
    }

    private void ReleaseUpTo(long resumeOffset)
    {
        for (var released = Interlocked.Read(ref _released); resumeOffset > released; released = Interlocked.Read(ref _released))
        {
            if (Interlocked.CompareExchange(ref _released, resumeOffset, released) == released)
            {
                Interlocked.Add(ref _inFlight, released - resumeOffset);
                _capacity.Pulse();
                return;
            }
        }
    }

    private async Task ReceiveAsync(Socket socket)
    {
        var buffer = GC.AllocateUninitializedArray<byte>(UdpSourceOptions.MaxUdpPayload + 1);
        EndPoint any = socket.AddressFamily == AddressFamily.InterNetworkV6 ? new IPEndPoint(IPAddress.IPv6Any, 0) : new IPEndPoint(IPAddress.Any, 0);
        var token = _closing.Token;
        try
        {
            while (!_stopping)
            {
                while (Volatile.Read(ref _inFlight) >= Options.MaxInFlightRecords && !_stopping)
                {
                    var next = _capacity.Next;
                    if (Volatile.Read(ref _inFlight) < Options.MaxInFlightRecords)
                    {
                        break;
                    }

                    await next.WaitAsync(token).ConfigureAwait(false); // not receiving: the kernel buffers, then drops
                }

                SocketReceiveFromResult result;
                try
                {
                    result = await socket.ReceiveFromAsync(buffer, SocketFlags.None, any, token).ConfigureAwait(false);
                }
                catch (SocketException) when (!token.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _receiveErrors); // e.g. an ICMP error queued on the socket: receive on
                    continue;
                }

                Interlocked.Increment(ref _received);
                Interlocked.Increment(ref _inFlight);
                _queue.Writer.TryWrite(Take(buffer.AsSpan(0, result.ReceivedBytes), result.RemoteEndPoint));
            }
        }
        catch (Exception error) when (error is OperationCanceledException || SocketErrors.IsConnectionError(error))
        {
            // closing
        }
    }

    private Datagram Take(ReadOnlySpan<byte> bytes, EndPoint sender)
    {
        var timestamp = Options.TimeProvider.GetUtcNow();
        if (bytes.Length > Options.MaxDatagramBytes)
        {
            Interlocked.Increment(ref _oversized);
            return new Datagram(bytes[..Options.MaxDatagramBytes].ToArray(), new SocketFrameException(SocketFrameError.TooLarge, Describe(sender), 0, string.Create(CultureInfo.InvariantCulture, $"a datagram of {bytes.Length} bytes, above the limit of {Options.MaxDatagramBytes}")), timestamp);
        }

        var problem = Options.PayloadCheck switch
        {
            UdpPayloadCheck.Utf8 => IsUtf8(bytes) ? null : "not valid UTF-8",
            UdpPayloadCheck.Json => IsJson(bytes),
            _ => null,
        };
        if (problem is not null)
        {
            Interlocked.Increment(ref _undecodable);
            return new Datagram(bytes.ToArray(), new SocketFrameException(SocketFrameError.Undecodable, Describe(sender), 0, problem), timestamp);
        }

        return new Datagram(bytes.ToArray(), null, timestamp);
    }

    private string Describe(EndPoint sender) => Name + " from " + sender;

    private static bool IsUtf8(ReadOnlySpan<byte> bytes)
    {
        try
        {
            StrictUtf8.GetCharCount(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }

    private static string? IsJson(ReadOnlySpan<byte> bytes)
    {
        try
        {
            var reader = new Utf8JsonReader(bytes);
            reader.Read();
            reader.Skip();
            return reader.Read() ? "more than one JSON document" : null;
        }
        catch (JsonException error)
        {
            return "not JSON: " + error.Message;
        }
    }

    private sealed record Datagram(byte[] Bytes, SocketFrameException? Error, DateTimeOffset Timestamp);

    private sealed class Reader(UdpSource source) : SourceReader<Record<ReadOnlyMemory<byte>>>
    {
        private long _next;

        public override async ValueTask<bool> FillAsync(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(buffer);
            if (cancellationToken.IsCancellationRequested)
            {
                Add(buffer);
                source._stopping = true;
                while (source._queue.Reader.TryRead(out _))
                {
                    Interlocked.Decrement(ref source._inFlight); // received and never handed over: lost, as UDP may lose anything
                }

                return false;
            }

            if (!source._queue.Reader.TryPeek(out _))
            {
                await source._queue.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
            }

            Add(buffer);
            return true;
        }

        private void Add(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer)
        {
            while (buffer.Remaining > 0 && source._queue.Reader.TryRead(out var datagram))
            {
                var offset = _next++;
                if (datagram.Error is null)
                {
                    buffer.Add(new Record<ReadOnlyMemory<byte>>(ReadOnlyMemory<byte>.Empty, datagram.Bytes, null, datagram.Timestamp, new SourcePosition(0, offset)), new SourcePosition(0, offset + 1), datagram.Bytes.Length);
                }
                else
                {
                    buffer.Reject(datagram.Error, new SourcePosition(0, offset), new SourcePosition(0, offset + 1), datagram.Bytes);
                }
            }
        }
    }
}
