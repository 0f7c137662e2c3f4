using DataWeaver.Errors;

namespace DataWeaver.Connectors.Files.Output;

/// <summary>
/// A file (an output, a checkpoint) is locked by another run: two runs writing one output or one checkpoint at once
/// would interleave or lose records, so the second fails at once. Fatal: wait for the other run to end, or point this
/// one elsewhere.
/// </summary>
public sealed class FileLockedException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="lockPath">The lock file.</param>
    /// <param name="holder">Who holds it, when known.</param>
    /// <param name="message">What is locked and by whom.</param>
    /// <param name="innerException">The sharing violation the operating system reported.</param>
    public FileLockedException(string lockPath, FileLockHolder? holder, string message, Exception? innerException = null)
        : base(ErrorClass.Fatal, message, innerException)
    {
        LockPath = lockPath;
        Holder = holder;
    }

    /// <summary>Creates the exception.</summary>
    public FileLockedException()
        : this(string.Empty, null, "A file is locked by another run.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What is locked.</param>
    public FileLockedException(string message)
        : this(string.Empty, null, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What is locked.</param>
    /// <param name="innerException">The underlying cause.</param>
    public FileLockedException(string message, Exception innerException)
        : this(string.Empty, null, message, innerException)
    {
    }

    /// <summary>Gets the lock file.</summary>
    public string LockPath { get; }

    /// <summary>Gets who holds the lock: process id, host and since when; <see langword="null"/> when the holder did not say.</summary>
    public FileLockHolder? Holder { get; }
}
