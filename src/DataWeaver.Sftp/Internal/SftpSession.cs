using System.Diagnostics.CodeAnalysis;
using System.Net.Sockets;
using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace DataWeaver.Sftp.Internal;

/// <summary>
/// One SFTP connection of a connector: connects with the configured credentials after checking the host key, tells a lost
/// connection from other failures, and connects again with backoff. Every message it makes is scrubbed of the secrets.
/// Not thread-safe: one connector drives it.
/// </summary>
internal sealed class SftpSession : IAsyncDisposable
{
    private const string Sha256Prefix = "SHA256:";

    private readonly SftpConnectionOptions _options;
    private readonly TimeProvider _timeProvider;
    private readonly string _expectedFingerprint;
    private SftpClient? _client;
    private string? _rejectedFingerprint;

    public SftpSession(SftpConnectionOptions options, TimeProvider timeProvider)
    {
        var problems = options.Problems().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(options));
        }

        _options = options;
        _timeProvider = timeProvider;
        _expectedFingerprint = Normalize(options.HostKeyFingerprint);
    }

    public SftpConnectionOptions Options => _options;

    /// <summary>Gets the client when it is connected, else <see langword="null"/>.</summary>
    public SftpClient? Connected => _client is { IsConnected: true } client ? client : null;

    /// <summary>Gets the connected client.</summary>
    /// <exception cref="SshConnectionException">Not connected (a lost connection: connect again).</exception>
    public SftpClient Client => _client is { IsConnected: true } client ? client : throw new SshConnectionException($"Not connected to {_options.Endpoint}.");

    /// <summary>Whether an exception means the connection is gone (worth connecting again), not a refusal by the server.</summary>
    public static bool IsConnectionLoss(Exception error) => error is SshConnectionException or SocketException or IOException
        or SshOperationTimeoutException or ObjectDisposedException or TimeoutException
        || (error is SftpException { Kind: SftpErrorKind.Connection })
        || (error is InvalidOperationException && (error.Message.Contains("not connected", StringComparison.OrdinalIgnoreCase) || error.Message.Contains("not open", StringComparison.OrdinalIgnoreCase)));

    /// <summary>Whether an exception of an operation on this session means the connection is gone: a connection error, or any SSH.NET error once the client no longer is connected.</summary>
    public bool IsLost(Exception error) => IsConnectionLoss(error) || (error is SshException or InvalidOperationException && Connected is null);

    public async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        Drop();
        var client = new SftpClient(ConnectionInfo()) { OperationTimeout = _options.OperationTimeout };
        _rejectedFingerprint = null;
        client.HostKeyReceived += (_, e) =>
        {
            if (_options.AcceptAnyHostKey)
            {
                e.CanTrust = true;
                return;
            }

            e.CanTrust = string.Equals(Normalize(e.FingerPrintSHA256), _expectedFingerprint, StringComparison.Ordinal);
            if (!e.CanTrust)
            {
                _rejectedFingerprint = Sha256Prefix + Normalize(e.FingerPrintSHA256);
            }
        };

        try
        {
            await client.ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw Classify(error);
        }

        _client = client;
    }

    /// <summary>Connects again after a lost connection, waiting before each attempt; throws once the attempts are spent or a refusal says retrying is useless.</summary>
    public async ValueTask ReconnectAsync(Exception lost, CancellationToken cancellationToken)
    {
        Drop();
        var delay = _options.ReconnectDelay;
        Exception last = lost;
        for (var attempt = 1; attempt <= _options.MaxReconnectAttempts; attempt++)
        {
            await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(30).Ticks));
            try
            {
                await ConnectAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (SftpException error) when (error.Kind == SftpErrorKind.Connection)
            {
                last = error;
            }
        }

        throw new SftpException(SftpErrorKind.Connection, Scrub($"The connection to the SFTP server {_options.Endpoint} is lost ({last.GetType().Name}: {last.Message}); {_options.MaxReconnectAttempts} attempts to connect again failed."));
    }

    /// <summary>Turns an exception of SSH.NET into an <see cref="SftpException"/> that holds no secret.</summary>
    public SftpException Classify(Exception error, string? path = null)
    {
        if (error is SftpException known)
        {
            return known;
        }

        if (_rejectedFingerprint is { } rejected)
        {
            return new SftpException(SftpErrorKind.HostKey, $"The host key of {_options.Endpoint} has the fingerprint {rejected}, not the configured {Sha256Prefix}{_expectedFingerprint}: the server was refused before any credential was sent. If the server's key was changed on purpose, configure its new fingerprint (ssh-keygen -lf on the server's public host key).");
        }

        return error switch
        {
            SshAuthenticationException => new SftpException(SftpErrorKind.Authentication, Scrub($"The SFTP server {_options.Endpoint} refused user '{_options.Username}' ({Methods()}): {error.Message}")),
            SftpPathNotFoundException or SftpPermissionDeniedException => new SftpException(SftpErrorKind.NotFound, Scrub($"SFTP {_options.Endpoint}: '{path}': {error.Message}")),
            SshException when error.Message.Contains("private key", StringComparison.OrdinalIgnoreCase) || error.Message.Contains("passphrase", StringComparison.OrdinalIgnoreCase)
                => new SftpException(SftpErrorKind.Authentication, Scrub($"The private key for user '{_options.Username}' at {_options.Endpoint} cannot be read: {error.Message}")),
            _ when IsConnectionLoss(error) || error is SshException => Lost(error),
            _ => new SftpException(SftpErrorKind.Connection, Scrub($"SFTP {_options.Endpoint}{(path is null ? "" : $" '{path}'")}: {error.GetType().Name}: {error.Message}")),
        };
    }

    public string Scrub(string text)
    {
        foreach (var secret in _options.Secrets)
        {
            text = text.Replace(secret, "***", StringComparison.Ordinal);
        }

        return text;
    }

    public ValueTask DisposeAsync()
    {
        Drop();
        return default;
    }

    [DoesNotReturn]
    public static void Throw(SftpException error) => throw error;

    private static string Normalize(string? fingerprint)
    {
        var text = (fingerprint ?? "").Trim();
        if (text.StartsWith(Sha256Prefix, StringComparison.OrdinalIgnoreCase))
        {
            text = text[Sha256Prefix.Length..];
        }

        return text.TrimEnd('=');
    }

    private SftpException Lost(Exception error) =>
        new(SftpErrorKind.Connection, Scrub($"The SFTP server {_options.Endpoint} cannot be reached or the connection was lost ({error.GetType().Name}: {error.Message})."));

    private string Methods() => _options.PrivateKey is null ? "password" : _options.Password is null ? "key" : "key and password";

    private ConnectionInfo ConnectionInfo()
    {
        List<AuthenticationMethod> methods = [];
        if (_options.PrivateKey is { Length: > 0 } key)
        {
            PrivateKeyFile file;
            try
            {
                using var stream = new MemoryStream(Encoding.UTF8.GetBytes(key));
                file = _options.PrivateKeyPassphrase is { Length: > 0 } passphrase ? new PrivateKeyFile(stream, passphrase) : new PrivateKeyFile(stream);
            }
            catch (Exception error) when (error is SshException or ArgumentException or FormatException or InvalidOperationException or NotSupportedException)
            {
                throw new SftpException(SftpErrorKind.Authentication, Scrub($"The private key for user '{_options.Username}' at {_options.Endpoint} cannot be read (wrong passphrase, or not an OpenSSH/PEM private key): {error.GetType().Name}."));
            }

            methods.Add(new PrivateKeyAuthenticationMethod(_options.Username, file));
        }

        if (_options.Password is { Length: > 0 } password)
        {
            methods.Add(new PasswordAuthenticationMethod(_options.Username, password));
        }

        return new ConnectionInfo(_options.Host, _options.Port, _options.Username, [.. methods]) { Timeout = _options.ConnectTimeout };
    }

    private void Drop()
    {
        if (_client is { } client)
        {
            _client = null;
            try
            {
                client.Dispose();
            }
            catch (Exception error) when (IsConnectionLoss(error) || error is SshException)
            {
                // already gone
            }
        }
    }
}
