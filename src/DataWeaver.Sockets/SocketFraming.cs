namespace DataWeaver.Sockets;

/// <summary>How records are cut out of a TCP byte stream (and how a TCP sink writes them).</summary>
public enum SocketFraming
{
    /// <summary>One record per line: bytes up to <c>\n</c>; a <c>\r</c> before it is dropped; the <c>\n</c> is not part of the record.</summary>
    NewlineDelimited,

    /// <summary>Each record is preceded by its length in bytes as a 4-byte big-endian unsigned integer (at most 2^31 - 1).</summary>
    LengthPrefixed,
}
