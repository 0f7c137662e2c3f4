using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DataWeaver.Sockets.Tests.Support;

/// <summary>
/// A TCP peer for the sink tests, written against the wire protocol (not the library): it keeps every frame it reads and,
/// once kept, acknowledges the count of the connection's frames. While <see cref="Down"/>, it closes every connection at once.
/// </summary>
internal sealed class RecordingTcpServer : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly List<byte[]> _records = [];
    private readonly List<Socket> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly SocketFraming _framing;
    private readonly X509Certificate2? _certificate;
    private readonly Task _accepting;
    private volatile bool _down;

    private RecordingTcpServer(SocketFraming framing, X509Certificate2? certificate)
    {
        _framing = framing;
        _certificate = certificate;
        _listener.Start();
        _accepting = AcceptAsync();
    }

    public string Address => "127.0.0.1:" + ((IPEndPoint)_listener.LocalEndpoint).Port.ToString(CultureInfo.InvariantCulture);

    public IReadOnlyList<byte[]> Records
    {
        get
        {
            lock (_records)
            {
                return [.. _records];
            }
        }
    }

    /// <summary>Gets or sets a value indicating whether the server refuses: it closes open connections and every new one at once.</summary>
    public bool Down
    {
        get => _down;
        set
        {
            _down = value;
            if (value)
            {
                lock (_open)
                {
                    foreach (var socket in _open)
                    {
                        socket.Close(0);
                    }
                }
            }
        }
    }

    public static RecordingTcpServer Start(SocketFraming framing = SocketFraming.NewlineDelimited, X509Certificate2? certificate = null) => new(framing, certificate);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        Down = true;
        await _accepting;
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        var connections = new List<Task>();
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                var socket = await _listener.AcceptSocketAsync(_stop.Token);
                if (_down)
                {
                    socket.Close(0);
                    continue;
                }

                lock (_open)
                {
                    _open.Add(socket);
                }

                connections.Add(Task.Run(() => ServeAsync(socket)));
            }
            catch (Exception error) when (error is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                break;
            }
        }

        await Task.WhenAll(connections);
    }

    private async Task ServeAsync(Socket socket)
    {
        try
        {
            Stream stream = new NetworkStream(socket, ownsSocket: true);
            if (_certificate is not null)
            {
                var tls = new SslStream(stream);
                await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = _certificate, ClientCertificateRequired = false }, _stop.Token);
                stream = tls;
            }

            await using (stream)
            {
                var buffer = new byte[1 << 16];
                var filled = 0;
                long frames = 0;
                while (true)
                {
                    if (filled == buffer.Length)
                    {
                        Array.Resize(ref buffer, buffer.Length * 2);
                    }

                    var read = await stream.ReadAsync(buffer.AsMemory(filled), _stop.Token);
                    if (read == 0 || _down)
                    {
                        return;
                    }

                    filled += read;
                    var consumed = 0;
                    var before = frames;
                    while (TryFrame(buffer.AsSpan(consumed, filled - consumed), out var record, out var length))
                    {
                        lock (_records)
                        {
                            _records.Add(record);
                        }

                        consumed += length;
                        frames++;
                    }

                    buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                    filled -= consumed;
                    if (frames > before)
                    {
                        await stream.WriteAsync(Ack(frames), _stop.Token);
                    }
                }
            }
        }
        catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException or OperationCanceledException or System.Security.Authentication.AuthenticationException)
        {
            // closed, refused or stopped
        }
        finally
        {
            lock (_open)
            {
                _open.Remove(socket);
            }
        }
    }

    private byte[] Ack(long frames)
    {
        if (_framing == SocketFraming.NewlineDelimited)
        {
            return Encoding.ASCII.GetBytes(frames.ToString(CultureInfo.InvariantCulture) + "\n");
        }

        var ack = new byte[12];
        BinaryPrimitives.WriteUInt32BigEndian(ack, 8);
        BinaryPrimitives.WriteInt64BigEndian(ack.AsSpan(4), frames);
        return ack;
    }

    private bool TryFrame(ReadOnlySpan<byte> bytes, out byte[] record, out int length)
    {
        record = [];
        length = 0;
        if (_framing == SocketFraming.NewlineDelimited)
        {
            var newline = bytes.IndexOf((byte)'\n');
            if (newline < 0)
            {
                return false;
            }

            record = bytes[..newline].ToArray();
            length = newline + 1;
            return true;
        }

        if (bytes.Length < 4 || bytes.Length < 4 + (int)BinaryPrimitives.ReadUInt32BigEndian(bytes))
        {
            return false;
        }

        var size = (int)BinaryPrimitives.ReadUInt32BigEndian(bytes);
        record = bytes.Slice(4, size).ToArray();
        length = 4 + size;
        return true;
    }
}
