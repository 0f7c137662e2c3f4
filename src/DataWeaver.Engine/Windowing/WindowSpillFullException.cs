using DataWeaver.Errors;

namespace DataWeaver.Windowing;

/// <summary>
/// A window stage that spills its state (<see cref="WindowOptions.SpillDirectory"/>) would have passed its disk bound
/// (<see cref="WindowOptions.SpillMaxBytes"/>). Fatal: the pipeline stops, the stage's spill files are deleted, and nothing
/// is committed past the records of the open windows, so a restart with a larger bound (or shorter windows, or fewer keys)
/// recomputes them and loses nothing.
/// </summary>
public sealed class WindowSpillFullException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stage">The stage's name.</param>
    /// <param name="spillDirectory">The spill directory the stage was given.</param>
    /// <param name="spillMaxBytes">The bound.</param>
    /// <param name="spillBytes">The bytes the spill files would have taken.</param>
    public WindowSpillFullException(string stage, string spillDirectory, long spillMaxBytes, long spillBytes)
        : base(ErrorClass.Fatal, $"Window stage '{stage}' would pass its spill bound of {spillMaxBytes} bytes in '{spillDirectory}' (SpillMaxBytes; its spill files would take {spillBytes} bytes); raise SpillMaxBytes, shorten the windows or reduce the keys.")
    {
        SpillDirectory = spillDirectory;
        SpillMaxBytes = spillMaxBytes;
        SpillBytes = spillBytes;
    }

    /// <summary>Creates the exception with a message.</summary>
    public WindowSpillFullException()
        : base(ErrorClass.Fatal, "A window stage reached its spill bound.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public WindowSpillFullException(string message)
        : base(ErrorClass.Fatal, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public WindowSpillFullException(string message, Exception innerException)
        : base(ErrorClass.Fatal, message, innerException)
    {
    }

    /// <summary>Gets the spill directory the stage was given, or <see langword="null"/>.</summary>
    public string? SpillDirectory { get; }

    /// <summary>Gets the bound that was reached, or 0.</summary>
    public long SpillMaxBytes { get; }

    /// <summary>Gets the bytes the spill files would have taken, or 0.</summary>
    public long SpillBytes { get; }
}
