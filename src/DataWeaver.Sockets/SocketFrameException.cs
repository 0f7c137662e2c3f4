using System.Globalization;
using DataWeaver.Errors;

namespace DataWeaver.Sockets;

/// <summary>What is wrong with a frame (or a datagram) a socket source could not turn into a record.</summary>
public enum SocketFrameError
{
    /// <summary>The frame (or datagram) is larger than the configured maximum; the rest of it is skipped.</summary>
    TooLarge,

    /// <summary>A length prefix above 2^31 - 1: the stream cannot be followed any further, so the connection ends after it.</summary>
    BadLengthPrefix,

    /// <summary>The connection ended inside a frame: the bytes after the last complete frame.</summary>
    Truncated,

    /// <summary>A datagram failed the UDP source's payload check (not UTF-8, not JSON).</summary>
    Undecodable,
}

/// <summary>
/// A frame or datagram a socket source could not turn into a record: a data error naming the connection (or the sender) and
/// the byte offset of the frame in that connection's stream. The source hands it to the pipeline's error policy with the
/// frame's bytes (at most the maximum frame size of them), so it is dead-lettered, skipped or fails the run as configured.
/// </summary>
public sealed class SocketFrameException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="error">What is wrong.</param>
    /// <param name="connection">The connection: its number and remote address, e.g. <c>tcp#3 127.0.0.1:50412</c>.</param>
    /// <param name="offset">The byte offset of the frame's first byte in the connection's stream (0 for a datagram).</param>
    /// <param name="detail">What was seen, e.g. the size and the limit.</param>
    public SocketFrameException(SocketFrameError error, string connection, long offset, string detail)
        : base(ErrorClass.Data, string.Create(CultureInfo.InvariantCulture, $"{Describe(error)} on {connection} at byte {offset}: {detail}"))
    {
        Error = error;
        Connection = connection;
        Offset = offset;
    }

    /// <summary>Creates the exception.</summary>
    public SocketFrameException()
        : base(ErrorClass.Data, "A socket frame could not be read.")
    {
        Connection = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public SocketFrameException(string message)
        : base(ErrorClass.Data, message)
    {
        Connection = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public SocketFrameException(string message, Exception innerException)
        : base(ErrorClass.Data, message, innerException)
    {
        Connection = string.Empty;
    }

    /// <summary>Gets what is wrong with the frame.</summary>
    public SocketFrameError Error { get; }

    /// <summary>Gets the connection (number and remote address) or the datagram's sender.</summary>
    public string Connection { get; }

    /// <summary>Gets the byte offset of the frame in its connection's stream.</summary>
    public long Offset { get; }

    private static string Describe(SocketFrameError error) => error switch
    {
        SocketFrameError.TooLarge => "Frame too large",
        SocketFrameError.BadLengthPrefix => "Bad length prefix",
        SocketFrameError.Truncated => "Connection ended inside a frame",
        _ => "Undecodable datagram",
    };
}
