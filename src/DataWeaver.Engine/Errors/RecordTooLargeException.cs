namespace DataWeaver.Errors;

/// <summary>A record is larger than the configured maximum record size. A data error: the record is bad, not the pipeline.</summary>
public sealed class RecordTooLargeException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="where">Where the record was found, e.g. a file path and byte offset.</param>
    /// <param name="size">The record's size in bytes, or at least how much of it was seen.</param>
    /// <param name="limit">The configured maximum record size in bytes.</param>
    public RecordTooLargeException(string where, long size, long limit)
        : base(ErrorClass.Data, $"Record at {where} is at least {size} bytes, above the maximum record size of {limit} bytes.")
    {
        Where = where;
        Size = size;
        Limit = limit;
    }

    /// <summary>Creates the exception with a message.</summary>
    public RecordTooLargeException()
        : base(ErrorClass.Data, "A record is above the maximum record size.")
    {
        Where = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public RecordTooLargeException(string message)
        : base(ErrorClass.Data, message)
    {
        Where = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public RecordTooLargeException(string message, Exception innerException)
        : base(ErrorClass.Data, message, innerException)
    {
        Where = string.Empty;
    }

    /// <summary>Gets where the record was found.</summary>
    public string Where { get; }

    /// <summary>Gets the record's size in bytes, or at least how much of it was seen.</summary>
    public long Size { get; }

    /// <summary>Gets the configured maximum record size in bytes.</summary>
    public long Limit { get; }
}
