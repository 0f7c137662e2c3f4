namespace DataWeaver.Sftp;

/// <summary>
/// Where an SFTP connector connects and how it proves who it is and checks who the server is. The password, the private
/// key and its passphrase are secrets: they never appear in logs, errors, checkpoints or file names
/// (<see cref="ToString"/> leaves them out).
/// </summary>
public sealed record SftpConnectionOptions
{
    /// <summary>Gets the server's host name or address.</summary>
    /// <value>Required.</value>
    public required string Host { get; init; }

    /// <summary>Gets the server's SSH port.</summary>
    /// <value>The default is 22; from 1 to 65535.</value>
    public int Port { get; init; } = 22;

    /// <summary>Gets the user name.</summary>
    /// <value>Required.</value>
    public required string Username { get; init; }

    /// <summary>Gets the password (a secret), tried when set.</summary>
    /// <value>The default is <see langword="null"/>: no password authentication. Set it, <see cref="PrivateKey"/>, or both.</value>
    public string? Password { get; init; }

    /// <summary>Gets the private key (a secret): the text of an OpenSSH or PEM private key file, tried before the password.</summary>
    /// <value>The default is <see langword="null"/>: no key authentication.</value>
    public string? PrivateKey { get; init; }

    /// <summary>Gets the passphrase of an encrypted <see cref="PrivateKey"/> (a secret).</summary>
    /// <value>The default is <see langword="null"/>: the key is not encrypted.</value>
    public string? PrivateKeyPassphrase { get; init; }

    /// <summary>
    /// Gets the SHA-256 fingerprint the server's host key must have, as <c>ssh-keygen -lf key.pub</c> prints it
    /// (<c>SHA256:</c> and unpadded base64; the prefix may be left out). A server presenting another key is refused with
    /// an <see cref="SftpException"/> of kind <see cref="SftpErrorKind.HostKey"/> before any credential is sent.
    /// </summary>
    /// <value>The default is <see langword="null"/>, which is refused unless <see cref="AcceptAnyHostKey"/> is set.</value>
    public string? HostKeyFingerprint { get; init; }

    /// <summary>
    /// Gets a value indicating whether any host key is accepted without a check: anyone able to intercept the connection
    /// then receives the credentials. Only for tests and trusted networks; it must be set explicitly.
    /// </summary>
    /// <value>The default is <see langword="false"/>: <see cref="HostKeyFingerprint"/> is required.</value>
    public bool AcceptAnyHostKey { get; init; }

    /// <summary>Gets the time limit of connecting and authenticating.</summary>
    /// <value>The default is 30 seconds; from 1 millisecond to 10 minutes.</value>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets the time limit of one SFTP request (a read, a write, a listing).</summary>
    /// <value>The default is 60 seconds; from 1 millisecond to 1 hour.</value>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Gets how many times in a row a lost connection is made again before the connector fails with a transient
    /// <see cref="SftpException"/> of kind <see cref="SftpErrorKind.Connection"/>. A failed authentication or host key
    /// check is never retried.
    /// </summary>
    /// <value>The default is 5; from 0 (fail at the first loss) to 1000.</value>
    public int MaxReconnectAttempts { get; init; } = 5;

    /// <summary>Gets the wait before the first reconnection attempt; it doubles with each failed one, up to 30 seconds.</summary>
    /// <value>The default is 500 milliseconds; from 0 to 10 minutes.</value>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Gets the server's address as messages show it: <c>host:port</c>.</summary>
    public string Endpoint => $"{Host}:{Port}";

    /// <summary>Gets the secrets to scrub from every message: the password, the key and its passphrase.</summary>
    internal IReadOnlyList<string> Secrets =>
        [.. new[] { Password, PrivateKey, PrivateKeyPassphrase }.Where(s => !string.IsNullOrEmpty(s)).Select(s => s!)];

    /// <summary>Describes the connection without its secrets.</summary>
    /// <returns>The user, server and how it authenticates.</returns>
    public override string ToString() =>
        $"sftp://{Username}@{Endpoint} ({(PrivateKey is null ? "" : "key")}{(PrivateKey is not null && Password is not null ? " and " : "")}{(Password is null ? "" : "password")})";

    /// <summary>Lists every problem of the options.</summary>
    /// <returns>The problems; empty when the options are valid.</returns>
    internal IEnumerable<string> Problems()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            yield return "SftpConnectionOptions.Host is required.";
        }

        if (Port is < 1 or > 65535)
        {
            yield return "SftpConnectionOptions.Port must be from 1 to 65535.";
        }

        if (string.IsNullOrWhiteSpace(Username))
        {
            yield return "SftpConnectionOptions.Username is required.";
        }

        if (string.IsNullOrEmpty(Password) && string.IsNullOrEmpty(PrivateKey))
        {
            yield return "SftpConnectionOptions needs a Password or a PrivateKey.";
        }

        if (string.IsNullOrWhiteSpace(HostKeyFingerprint) && !AcceptAnyHostKey)
        {
            yield return "SftpConnectionOptions.HostKeyFingerprint is required (the server's SHA256 fingerprint, as ssh-keygen -lf prints it), unless AcceptAnyHostKey is set explicitly.";
        }

        if (ConnectTimeout <= TimeSpan.Zero || ConnectTimeout > TimeSpan.FromMinutes(10))
        {
            yield return "SftpConnectionOptions.ConnectTimeout must be from 1 millisecond to 10 minutes.";
        }

        if (OperationTimeout <= TimeSpan.Zero || OperationTimeout > TimeSpan.FromHours(1))
        {
            yield return "SftpConnectionOptions.OperationTimeout must be from 1 millisecond to 1 hour.";
        }

        if (MaxReconnectAttempts is < 0 or > 1000)
        {
            yield return "SftpConnectionOptions.MaxReconnectAttempts must be from 0 to 1000.";
        }

        if (ReconnectDelay < TimeSpan.Zero || ReconnectDelay > TimeSpan.FromMinutes(10))
        {
            yield return "SftpConnectionOptions.ReconnectDelay must be from 0 to 10 minutes.";
        }
    }
}
