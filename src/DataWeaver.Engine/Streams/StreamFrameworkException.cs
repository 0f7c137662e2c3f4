using DataWeaver.Errors;

namespace DataWeaver.Streams;

/// <summary>
/// A stream framework operation failed. <see cref="Code"/> says what went wrong, <see cref="Topic"/> and
/// <see cref="Partition"/> where; <see cref="DataWeaverException.ErrorClass"/> says how to treat it (an
/// oversized message is a data error, everything else here is fatal).
/// </summary>
public sealed class StreamFrameworkException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="code">What went wrong.</param>
    /// <param name="message">What went wrong, naming the stream and partition.</param>
    /// <param name="topic">The stream concerned, if any.</param>
    /// <param name="partition">The partition concerned, if any.</param>
    public StreamFrameworkException(StreamErrorCode code, string message, string? topic = null, int? partition = null)
        : base(code == StreamErrorCode.MessageTooLarge ? ErrorClass.Data : ErrorClass.Fatal, message)
    {
        Code = code;
        Topic = topic;
        Partition = partition;
    }

    /// <summary>Creates a fatal exception with a message.</summary>
    public StreamFrameworkException()
        : this(StreamErrorCode.Stopped, "A stream framework operation failed.")
    {
    }

    /// <summary>Creates a fatal exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public StreamFrameworkException(string message)
        : this(StreamErrorCode.Stopped, message)
    {
    }

    /// <summary>Creates a fatal exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public StreamFrameworkException(string message, Exception innerException)
        : base(ErrorClass.Fatal, message, innerException)
    {
        Code = StreamErrorCode.Stopped;
    }

    /// <summary>Gets what went wrong.</summary>
    public StreamErrorCode Code { get; }

    /// <summary>Gets the stream concerned, or <see langword="null"/>.</summary>
    public string? Topic { get; }

    /// <summary>Gets the partition concerned, or <see langword="null"/>.</summary>
    public int? Partition { get; }
}
