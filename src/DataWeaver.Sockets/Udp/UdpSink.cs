using System.Globalization;
using System.Net.Sockets;
using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Sockets.Internal;

namespace DataWeaver.Sockets;

/// <summary>
/// Sends each record as one UDP datagram. UDP is lossy: a batch is acknowledged once its datagrams were handed to the kernel,
/// which says nothing of their arrival; a peer that is not listening is counted in <see cref="SendErrors"/> and otherwise ignored.
/// A record above <see cref="UdpSinkOptions.MaxDatagramBytes"/> is a data error (<see cref="SocketFrameException"/>); nothing of
/// its batch is sent, so the engine's record-by-record retry under a dead-letter policy sends the others once.
/// </summary>
public sealed class UdpSink : SinkConnector<Record<ReadOnlyMemory<byte>>>
{
    private readonly string _host;
    private readonly int _port;
    private Socket? _socket;
    private long _sent;
    private long _sendErrors;

    /// <summary>Creates the sink.</summary>
    /// <param name="options">Where datagrams go.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>udp:{address}</c>.</param>
    /// <exception cref="Errors.PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public UdpSink(UdpSinkOptions options, string? name = null)
        : base(name ?? "udp:" + options?.Address)
    {
        ArgumentNullException.ThrowIfNull(options);
        SocketErrors.ThrowIfInvalid(options.Validate());
        Options = options;
        Endpoints.TrySplit(options.Address, out _host, out _port);
    }

    /// <summary>Gets the options.</summary>
    public UdpSinkOptions Options { get; }

    /// <summary>Gets how many datagrams were handed to the kernel.</summary>
    public long DatagramsSent => Interlocked.Read(ref _sent);

    /// <summary>Gets how many sends failed because the peer was not listening (an ICMP port unreachable came back); those datagrams are lost.</summary>
    public long SendErrors => Interlocked.Read(ref _sendErrors);

    /// <inheritdoc />
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        var socket = new Socket(SocketType.Dgram, ProtocolType.Udp);
        try
        {
            await socket.ConnectAsync(_host, _port, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException error)
        {
            socket.Dispose();
            throw SocketErrors.Transient($"{Name}: the address could not be resolved", error, []);
        }

        _socket = socket;
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
    {
        var socket = _socket ?? throw new InvalidOperationException($"{Name} is not open.");
        for (var i = 0; i < batch.Length; i++)
        {
            var length = batch.Span[i].Value.Length;
            if (length > Options.MaxDatagramBytes)
            {
                throw new SocketFrameException(SocketFrameError.TooLarge, Name, 0, string.Create(CultureInfo.InvariantCulture, $"a record of {length} bytes, above the datagram limit of {Options.MaxDatagramBytes}; nothing of its batch was sent"));
            }
        }

        for (var i = 0; i < batch.Length; i++)
        {
            try
            {
                await socket.SendAsync(batch.Span[i].Value, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _sent);
            }
            catch (SocketException error) when (error.SocketErrorCode is SocketError.ConnectionRefused or SocketError.ConnectionReset or SocketError.HostUnreachable or SocketError.NetworkUnreachable)
            {
                Interlocked.Increment(ref _sendErrors); // lossy by design: the datagram is gone
            }
        }
    }

    /// <inheritdoc />
    public override ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _socket, null)?.Dispose();
        return default;
    }
}
