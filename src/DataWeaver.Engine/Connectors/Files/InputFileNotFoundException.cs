using DataWeaver.Errors;

namespace DataWeaver.Connectors.Files;

/// <summary>
/// The file a source reads does not exist (or a folder on its path does not) when the source opens: a fatal error,
/// raised before any record is read, naming the file.
/// </summary>
public sealed class InputFileNotFoundException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The file, as named in messages (secrets masked).</param>
    /// <param name="message">What is wrong, naming <paramref name="path"/>.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public InputFileNotFoundException(string path, string message, Exception? innerException = null)
        : base(ErrorClass.Fatal, message, innerException)
    {
        Path = path;
    }

    /// <summary>Creates the exception.</summary>
    public InputFileNotFoundException()
        : base(ErrorClass.Fatal, "The input file does not exist.")
    {
        Path = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public InputFileNotFoundException(string message)
        : base(ErrorClass.Fatal, message)
    {
        Path = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying cause.</param>
    public InputFileNotFoundException(string message, Exception innerException)
        : base(ErrorClass.Fatal, message, innerException)
    {
        Path = string.Empty;
    }

    /// <summary>Gets the file that does not exist, as named in messages.</summary>
    public string Path { get; }
}
