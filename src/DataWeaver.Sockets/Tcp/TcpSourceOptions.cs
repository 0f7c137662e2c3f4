using System.Globalization;
using System.Text;
using DataWeaver.Sockets.Internal;

namespace DataWeaver.Sockets;

/// <summary>Options of a <see cref="TcpSource"/>: where it listens, how it frames records, its in-flight bound and acknowledgements.</summary>
public sealed record TcpSourceOptions
{
    /// <summary>The default listen address.</summary>
    public const string DefaultListen = "127.0.0.1:9000";

    /// <summary>The default largest frame, in bytes (1 MiB).</summary>
    public const int DefaultMaxFrameBytes = 1 << 20;

    /// <summary>The default in-flight bound, in records.</summary>
    public const int DefaultMaxInFlightRecords = 10_000;

    /// <summary>The default most connections at once.</summary>
    public const int DefaultMaxConnections = 1024;

    /// <summary>
    /// Gets the local address to listen on: <c>IP:PORT</c>, <c>[IPv6]:PORT</c>, <c>localhost:PORT</c> or <c>*:PORT</c> (every
    /// address). Port 0 picks a free port (see <see cref="TcpSource.LocalEndPoint"/>).
    /// </summary>
    /// <value>The default is <c>127.0.0.1:9000</c>.</value>
    public string Listen { get; init; } = DefaultListen;

    /// <summary>Gets how records are cut from each connection's byte stream.</summary>
    /// <value>The default is <see cref="SocketFraming.NewlineDelimited"/>.</value>
    public SocketFraming Framing { get; init; } = SocketFraming.NewlineDelimited;

    /// <summary>Gets the largest frame in bytes; a larger one is a <see cref="SocketFrameException"/> handed to the error policy with its first <c>MaxFrameBytes</c> bytes.</summary>
    /// <value>The default is 1 MiB; from 1 to 1 GiB.</value>
    public int MaxFrameBytes { get; init; } = DefaultMaxFrameBytes;

    /// <summary>
    /// Gets the in-flight bound: the most frames read from all connections and not yet committed. At the bound the source stops
    /// reading its sockets, so TCP flow control slows the clients down; nothing is buffered beyond it (besides the frame being
    /// cut, at most <see cref="MaxFrameBytes"/>, per connection).
    /// </summary>
    /// <value>The default is 10,000; from 1.</value>
    public int MaxInFlightRecords { get; init; } = DefaultMaxInFlightRecords;

    /// <summary>
    /// Gets a value indicating whether the source writes acknowledgements back to each client: the count of that connection's
    /// frames that are committed (written by every sink, or handled by the error policy), in the connection's framing (a decimal
    /// number and <c>\n</c>, or a length-prefixed 8-byte big-endian count). A client that read an acknowledgement of N knows
    /// its first N frames were delivered; it sends again what was not acknowledged when the connection breaks.
    /// </summary>
    /// <value>The default is <see langword="false"/> (nothing is written to clients; see docs/sockets.md for what plain TCP cannot promise).</value>
    public bool Acknowledgements { get; init; }

    /// <summary>Gets the most client connections at once; a connection past it is closed at once.</summary>
    /// <value>The default is 1,024; from 1.</value>
    public int MaxConnections { get; init; } = DefaultMaxConnections;

    /// <summary>Gets the server certificate (a PKCS#12 file with its private key); set, every connection is TLS.</summary>
    /// <value>The default is <see langword="null"/> (plain TCP).</value>
    public string? CertificatePath { get; init; }

    /// <summary>Gets the certificate file's password. A secret: never printed.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? CertificatePassword { get; init; }

    /// <summary>Gets the time a client has to finish the TLS handshake.</summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan HandshakeTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the clock of record timestamps and timeouts.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the secrets these options hold, for scrubbing.</summary>
    internal IReadOnlyList<string> Secrets => CertificatePassword is { Length: > 0 } password ? [password] : [];

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        if (!Endpoints.TryParseListen(Listen, out _))
        {
            yield return $"TcpSourceOptions.Listen must be IP:PORT, [IPv6]:PORT, localhost:PORT or *:PORT (was '{Listen}').";
        }

        if (MaxFrameBytes is < 1 or > 1 << 30)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"TcpSourceOptions.MaxFrameBytes must be from 1 to 1 GiB (was {MaxFrameBytes}).");
        }

        if (MaxInFlightRecords < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"TcpSourceOptions.MaxInFlightRecords must be at least 1 (was {MaxInFlightRecords}).");
        }

        if (MaxConnections < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"TcpSourceOptions.MaxConnections must be at least 1 (was {MaxConnections}).");
        }

        if (HandshakeTimeout <= TimeSpan.Zero)
        {
            yield return $"TcpSourceOptions.HandshakeTimeout must be positive (was {HandshakeTimeout}).";
        }

        if (CertificatePassword is not null && CertificatePath is null)
        {
            yield return "TcpSourceOptions.CertificatePassword is set without a CertificatePath.";
        }
    }

    /// <summary>Prints the options without the secrets (records print every property by default).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Listen = {Listen}, Framing = {Framing}, MaxFrameBytes = {MaxFrameBytes}, MaxInFlightRecords = {MaxInFlightRecords}, Acknowledgements = {Acknowledgements}, Tls = {CertificatePath is not null}");
        return true;
    }
}
