namespace DataWeaver.Cli.Convert;

/// <summary>What <c>convert</c> was given cannot work (a format, a schema, a path): reported with exit code 2 before anything runs.</summary>
internal sealed class ConvertInputException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ConvertInputException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is wrong, and how to fix it.</param>
    public ConvertInputException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is wrong, and how to fix it.</param>
    /// <param name="innerException">The cause.</param>
    public ConvertInputException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
