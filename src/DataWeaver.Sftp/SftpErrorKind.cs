namespace DataWeaver.Sftp;

/// <summary>What an <see cref="SftpException"/> is about.</summary>
public enum SftpErrorKind
{
    /// <summary>The server could not be reached, or the connection was lost and could not be made again (transient).</summary>
    Connection,

    /// <summary>The server refused the credentials (fatal, never retried).</summary>
    Authentication,

    /// <summary>The server's host key does not have the configured fingerprint (fatal, never retried; no credential was sent).</summary>
    HostKey,

    /// <summary>A remote file or folder the connector needs does not exist, or may not be read or written (fatal).</summary>
    NotFound,

    /// <summary>A remote output was changed by someone else during the run (shorter than what was written): nothing more is acknowledged (fatal).</summary>
    OutputChanged,
}
