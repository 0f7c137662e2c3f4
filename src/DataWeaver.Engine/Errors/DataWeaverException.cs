namespace DataWeaver.Errors;

/// <summary>
/// The base of every exception DataWeaver raises on purpose. It carries an <see cref="ErrorClass"/> that
/// retry and dead-letter policies read, and optionally the stage in which the failure happened.
/// </summary>
public class DataWeaverException : Exception
{
    /// <summary>Creates an exception of the given class.</summary>
    /// <param name="errorClass">How the failure should be treated.</param>
    /// <param name="message">What went wrong, naming what is wrong and where.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public DataWeaverException(ErrorClass errorClass, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        ErrorClass = errorClass;
    }

    /// <summary>Creates a fatal exception.</summary>
    public DataWeaverException()
        : this(ErrorClass.Fatal, "A DataWeaver operation failed.")
    {
    }

    /// <summary>Creates a fatal exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public DataWeaverException(string message)
        : this(ErrorClass.Fatal, message)
    {
    }

    /// <summary>Creates a fatal exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying cause.</param>
    public DataWeaverException(string message, Exception innerException)
        : this(ErrorClass.Fatal, message, innerException)
    {
    }

    /// <summary>Gets how the failure should be treated.</summary>
    public ErrorClass ErrorClass { get; }

    /// <summary>Gets a value indicating whether retrying the operation may succeed.</summary>
    public bool IsTransient => ErrorClass == ErrorClass.Transient;
}
