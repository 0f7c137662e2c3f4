using DataWeaver.Errors;

namespace DataWeaver.Serialization.Avro.Binary;

/// <summary>A value cannot be encoded with a schema (wrong .NET type, unknown enum symbol, no matching union branch, a fixed of the wrong size...). A data error: the record is bad.</summary>
public sealed class AvroEncodingException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">Where in the value the problem is, e.g. <c>User.address.zip</c>.</param>
    /// <param name="reason">What is wrong.</param>
    public AvroEncodingException(string path, string reason)
        : base(ErrorClass.Data, $"Cannot encode avro value at {path}: {reason}")
    {
        Path = path;
        Reason = reason;
    }

    /// <summary>Creates the exception.</summary>
    public AvroEncodingException()
        : this("$", "the value does not match the schema")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong.</param>
    public AvroEncodingException(string message)
        : this("$", message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong.</param>
    /// <param name="innerException">The cause.</param>
    public AvroEncodingException(string message, Exception innerException)
        : base(ErrorClass.Data, message, innerException)
    {
        Path = "$";
        Reason = message;
    }

    /// <summary>Gets where in the value the problem is.</summary>
    public string Path { get; }

    /// <summary>Gets what is wrong.</summary>
    public string Reason { get; }
}
