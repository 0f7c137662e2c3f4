using DataWeaver.Errors;

namespace DataWeaver.Serialization;

/// <summary>
/// Bytes could not be decoded. A data error (<see cref="ErrorClass.Data"/>): the record is bad, so error
/// policies dead-letter or skip it rather than retry it.
/// </summary>
public sealed class DeserializationException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="format">The format being decoded, e.g. <c>avro</c>.</param>
    /// <param name="offset">The byte offset within the record at which decoding failed.</param>
    /// <param name="reason">Why decoding failed.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public DeserializationException(string format, long offset, string reason, Exception? innerException = null)
        : base(ErrorClass.Data, $"Cannot decode {format} at byte offset {offset}: {reason}", innerException)
    {
        Format = format;
        Offset = offset;
        Reason = reason;
    }

    /// <summary>Creates the exception with a message.</summary>
    public DeserializationException()
        : this("unknown", 0, "invalid data")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public DeserializationException(string message)
        : this("unknown", 0, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public DeserializationException(string message, Exception innerException)
        : this("unknown", 0, message, innerException)
    {
    }

    /// <summary>Gets the format being decoded.</summary>
    public string Format { get; }

    /// <summary>Gets the byte offset within the record at which decoding failed.</summary>
    public long Offset { get; }

    /// <summary>Gets why decoding failed.</summary>
    public string Reason { get; }
}
