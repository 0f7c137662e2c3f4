using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace DataWeaver.Sockets.Tests.Support;

/// <summary>
/// Clients of a TCP source with acknowledgements, written against the wire protocol (not the library): each sends its frames,
/// reads the acknowledgements (the count of its frames committed on this connection), and when a connection ends before every
/// frame was acknowledged, connects again (to wherever <c>address</c> points by then) and sends again everything after the
/// last acknowledgement. <see cref="Acknowledged"/> is what each client knows was delivered.
/// </summary>
internal sealed class AckingClients : IAsyncDisposable
{
    private readonly byte[][][] _frames;
    private readonly long[] _acknowledged;
    private readonly CancellationTokenSource _stop = new();
    private readonly Func<IPEndPoint?> _address;
    private readonly SocketFraming _framing;
    private readonly string? _caPath;
    private readonly int _pauseEvery;
    private long _connects;

    private AckingClients(byte[][][] frames, Func<IPEndPoint?> address, SocketFraming framing, string? caPath, int pauseEvery)
    {
        _frames = frames;
        _acknowledged = new long[frames.Length];
        _address = address;
        _framing = framing;
        _caPath = caPath;
        _pauseEvery = pauseEvery;
        Completion = Task.WhenAll(Enumerable.Range(0, frames.Length).Select(i => Task.Run(() => RunAsync(i))));
    }

    /// <summary>Gets the task that completes once every client's frames were all acknowledged (or the clients were stopped).</summary>
    public Task Completion { get; }

    /// <summary>Gets how many connections the clients opened.</summary>
    public long Connects => Interlocked.Read(ref _connects);

    /// <summary>Gets, per client, how many of its frames (from the first) were acknowledged.</summary>
    public IReadOnlyList<long> Acknowledged => [.. _acknowledged.Select(a => Interlocked.Read(ref a))];

    /// <summary>Gets the total of frames acknowledged.</summary>
    public long TotalAcknowledged => _acknowledged.Sum(a => Interlocked.Read(ref a));

    /// <summary>Gets the frames of each client.</summary>
    public IReadOnlyList<IReadOnlyList<byte[]>> Frames => _frames;

    /// <summary>Starts one client per list of frames. <paramref name="pauseEvery"/> &gt; 0 paces them: a 10 ms pause after that many frames.</summary>
    public static AckingClients Start(byte[][][] frames, Func<IPEndPoint?> address, SocketFraming framing = SocketFraming.NewlineDelimited, string? caPath = null, int pauseEvery = 0) =>
        new(frames, address, framing, caPath, pauseEvery);

    /// <summary>Splits records 0 .. count - 1 among <paramref name="clients"/> clients, round robin.</summary>
    public static byte[][][] Split(IReadOnlyList<byte[]> records, int clients) =>
        [.. Enumerable.Range(0, clients).Select(c => records.Where((_, i) => i % clients == c).ToArray())];

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Completion;
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
    }

    private async Task RunAsync(int client)
    {
        var frames = _frames[client];
        while (Interlocked.Read(ref _acknowledged[client]) < frames.Length && !_stop.IsCancellationRequested)
        {
            try
            {
                await ConnectionAsync(client, frames);
            }
            catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException or System.Security.Authentication.AuthenticationException or OperationCanceledException && !_stop.IsCancellationRequested)
            {
                // the server went away or refused: connect again and send what was not acknowledged
            }

            if (Interlocked.Read(ref _acknowledged[client]) < frames.Length)
            {
                await Task.Delay(20, _stop.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task ConnectionAsync(int client, byte[][] frames)
    {
        if (_address() is not { } address)
        {
            return;
        }

        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        await socket.ConnectAsync(address, _stop.Token);
        Interlocked.Increment(ref _connects);
        await using Stream stream = _caPath is null ? new NetworkStream(socket, ownsSocket: false) : await TlsAsync(socket);
        var first = Interlocked.Read(ref _acknowledged[client]);
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var reading = ReadAcknowledgementsAsync(stream, client, first, frames.Length, connection.Token);
        try
        {
            for (var i = (int)first; i < frames.Length;)
            {
                var count = Math.Min(_pauseEvery > 0 ? _pauseEvery : 8, frames.Length - i);
                await stream.WriteAsync(Tests.Support.Frames.Encode(frames.Skip(i).Take(count), _framing), connection.Token);
                i += count;
                if (_pauseEvery > 0)
                {
                    await Task.Delay(10, connection.Token);
                }
            }

            await stream.FlushAsync(connection.Token);
        }
        catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException)
        {
            // the server closed: what it acknowledged, the reader has
        }

        await reading;
    }

    private async Task<Stream> TlsAsync(Socket socket)
    {
        var ca = X509CertificateLoader.LoadCertificateFromFile(_caPath!);
        var tls = new SslStream(new NetworkStream(socket, ownsSocket: false), false, (_, certificate, _, errors) =>
        {
            using var chain = new X509Chain();
            chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
            chain.ChainPolicy.CustomTrustStore.Add(ca);
            chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
            return (errors & ~SslPolicyErrors.RemoteCertificateChainErrors) == 0 && certificate is X509Certificate2 leaf && chain.Build(leaf);
        });
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = "localhost" }, _stop.Token);
        return tls;
    }

    /// <summary>Reads acknowledgements until every frame is acknowledged or the server ends the connection.</summary>
    private async Task ReadAcknowledgementsAsync(Stream stream, int client, long first, int total, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        var filled = 0;
        try
        {
            while (Interlocked.Read(ref _acknowledged[client]) < total)
            {
                var read = await stream.ReadAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    return;
                }

                filled += read;
                var consumed = 0;
                while (TryParse(buffer.AsSpan(consumed, filled - consumed), out var count, out var length))
                {
                    consumed += length;
                    Interlocked.Exchange(ref _acknowledged[client], Math.Max(Interlocked.Read(ref _acknowledged[client]), first + count));
                }

                buffer.AsSpan(consumed, filled - consumed).CopyTo(buffer);
                filled -= consumed;
            }
        }
        catch (Exception error) when (error is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // the connection ended
        }
    }

    private bool TryParse(ReadOnlySpan<byte> bytes, out long count, out int length)
    {
        count = 0;
        length = 0;
        if (_framing == SocketFraming.LengthPrefixed)
        {
            if (bytes.Length < 12)
            {
                return false;
            }

            Assert.Equal(8u, BinaryPrimitives.ReadUInt32BigEndian(bytes));
            count = BinaryPrimitives.ReadInt64BigEndian(bytes[4..]);
            length = 12;
            return true;
        }

        var newline = bytes.IndexOf((byte)'\n');
        if (newline < 0)
        {
            return false;
        }

        count = long.Parse(Encoding.ASCII.GetString(bytes[..newline]), CultureInfo.InvariantCulture);
        length = newline + 1;
        return true;
    }
}
