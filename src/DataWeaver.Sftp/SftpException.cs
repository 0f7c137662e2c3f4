using DataWeaver.Errors;

namespace DataWeaver.Sftp;

/// <summary>
/// An error of the SFTP connectors, classified by <see cref="Kind"/>: a lost connection is
/// <see cref="ErrorClass.Transient"/>, everything else <see cref="ErrorClass.Fatal"/>. The message names the user and
/// server, never a password or key.
/// </summary>
public sealed class SftpException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="kind">What the error is about.</param>
    /// <param name="message">What went wrong, without secrets.</param>
    /// <param name="innerException">The cause, if it holds no secret.</param>
    public SftpException(SftpErrorKind kind, string message, Exception? innerException = null)
        : base(kind == SftpErrorKind.Connection ? ErrorClass.Transient : ErrorClass.Fatal, message, innerException)
    {
        Kind = kind;
    }

    /// <summary>Creates a fatal connection exception.</summary>
    public SftpException()
        : this(SftpErrorKind.Connection, "An SFTP operation failed.")
    {
    }

    /// <summary>Creates a connection exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SftpException(string message)
        : this(SftpErrorKind.Connection, message)
    {
    }

    /// <summary>Creates a connection exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SftpException(string message, Exception innerException)
        : this(SftpErrorKind.Connection, message, innerException)
    {
    }

    /// <summary>Gets what the error is about.</summary>
    public SftpErrorKind Kind { get; }
}
