using DataWeaver.Errors;

namespace DataWeaver.Windowing;

/// <summary>
/// A window stage reached <see cref="TumblingWindowOptions.MaxKeys"/> open aggregates. Fatal: the pipeline stops, and
/// nothing is committed past the records of the open windows.
/// </summary>
public sealed class WindowStateFullException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stage">The stage's name.</param>
    /// <param name="maxKeys">The bound.</param>
    public WindowStateFullException(string stage, int maxKeys)
        : base(ErrorClass.Fatal, $"Window stage '{stage}' holds {maxKeys} open (window, key) aggregates, its MaxKeys bound; raise MaxKeys or shorten the window.")
    {
        MaxKeys = maxKeys;
    }

    /// <summary>Creates the exception with a message.</summary>
    public WindowStateFullException()
        : base(ErrorClass.Fatal, "A window stage reached its MaxKeys bound.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public WindowStateFullException(string message)
        : base(ErrorClass.Fatal, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public WindowStateFullException(string message, Exception innerException)
        : base(ErrorClass.Fatal, message, innerException)
    {
    }

    /// <summary>Gets the bound that was reached.</summary>
    public int MaxKeys { get; }
}
