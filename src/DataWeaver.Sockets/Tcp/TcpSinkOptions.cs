using System.Globalization;
using System.Text;
using DataWeaver.Sockets.Internal;

namespace DataWeaver.Sockets;

/// <summary>Options of a <see cref="TcpSink"/>: where it connects, how it frames records, TLS, reconnects and acknowledgements.</summary>
public sealed record TcpSinkOptions
{
    /// <summary>Gets the peer to connect to: <c>HOST:PORT</c> (a host name, an IP, or <c>[IPv6]:PORT</c>). Required.</summary>
    /// <value>The default is empty (invalid).</value>
    public string Address { get; init; } = "";

    /// <summary>Gets how records are written as frames.</summary>
    /// <value>The default is <see cref="SocketFraming.NewlineDelimited"/> (a record holding <c>\n</c> would be read back as two: use length prefixes for binary records).</value>
    public SocketFraming Framing { get; init; } = SocketFraming.NewlineDelimited;

    /// <summary>
    /// Gets a value indicating whether a batch is acknowledged to the pipeline only once the peer acknowledged it: the peer writes
    /// back the count of the connection's frames it has committed, as a <see cref="TcpSource"/> with
    /// <see cref="TcpSourceOptions.Acknowledgements"/> does. Then delivery is end to end, at least once.
    /// </summary>
    /// <value>
    /// The default is <see langword="false"/>: a batch is acknowledged once it was written and flushed to the socket, which only
    /// means the local kernel took it; it is lost if the connection or the peer fails before the peer processed it.
    /// </value>
    public bool Acknowledgements { get; init; }

    /// <summary>Gets a value indicating whether the connection is TLS.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Tls { get; init; }

    /// <summary>Gets a CA certificate file (PEM or DER) trusted for the peer's certificate instead of the system's CAs.</summary>
    /// <value>The default is <see langword="null"/> (the system's trust).</value>
    public string? TrustedCaPath { get; init; }

    /// <summary>Gets the host name the peer's certificate must hold.</summary>
    /// <value>The default is <see langword="null"/>: the host of <see cref="Address"/>.</value>
    public string? TlsHostName { get; init; }

    /// <summary>Gets a client certificate (a PKCS#12 file with its private key) offered to a peer that asks for one.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? ClientCertificatePath { get; init; }

    /// <summary>Gets the client certificate file's password. A secret: never printed.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? ClientCertificatePassword { get; init; }

    /// <summary>Gets how many times a batch is tried (connecting again each time) before the write fails as a transient error.</summary>
    /// <value>The default is 10; from 1.</value>
    public int MaxAttempts { get; init; } = 10;

    /// <summary>Gets the wait before the first reconnect; it doubles each time up to <see cref="MaxBackoff"/>.</summary>
    /// <value>The default is 100 milliseconds.</value>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Gets the longest wait between reconnects.</summary>
    /// <value>The default is 10 seconds.</value>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Gets the time limit of connecting (with the TLS handshake), and of waiting for the peer's acknowledgement of a batch.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the clock of backoffs and timeouts.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets the secrets these options hold, for scrubbing.</summary>
    internal IReadOnlyList<string> Secrets => ClientCertificatePassword is { Length: > 0 } password ? [password] : [];

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        if (!Endpoints.TrySplit(Address, out _, out var port) || port == 0)
        {
            yield return $"TcpSinkOptions.Address must be HOST:PORT with a port from 1 to 65535 (was '{Address}').";
        }

        if (!Tls && (TrustedCaPath is not null || ClientCertificatePath is not null))
        {
            yield return "TcpSinkOptions.TrustedCaPath and ClientCertificatePath need Tls = true.";
        }

        if (ClientCertificatePassword is not null && ClientCertificatePath is null)
        {
            yield return "TcpSinkOptions.ClientCertificatePassword is set without a ClientCertificatePath.";
        }

        if (MaxAttempts < 1)
        {
            yield return string.Create(CultureInfo.InvariantCulture, $"TcpSinkOptions.MaxAttempts must be at least 1 (was {MaxAttempts}).");
        }

        if (InitialBackoff < TimeSpan.Zero || MaxBackoff < InitialBackoff)
        {
            yield return $"TcpSinkOptions.InitialBackoff must not be negative nor above MaxBackoff (were {InitialBackoff} and {MaxBackoff}).";
        }

        if (Timeout <= TimeSpan.Zero)
        {
            yield return $"TcpSinkOptions.Timeout must be positive (was {Timeout}).";
        }
    }

    /// <summary>Prints the options without the secrets (records print every property by default).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Address = {Address}, Framing = {Framing}, Acknowledgements = {Acknowledgements}, Tls = {Tls}, MaxAttempts = {MaxAttempts}");
        return true;
    }
}
