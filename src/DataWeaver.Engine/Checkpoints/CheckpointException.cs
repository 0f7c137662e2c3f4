using DataWeaver.Errors;

namespace DataWeaver.Checkpoints;

/// <summary>
/// A checkpoint cannot be used: its file is corrupt, or it points past the end of what it checkpoints. A fatal
/// error: resuming from a guess could lose or repeat records, so a person has to look.
/// </summary>
public sealed class CheckpointException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="path">The checkpoint file or the checkpointed file the problem is about.</param>
    /// <param name="message">What is wrong, naming <paramref name="path"/>.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public CheckpointException(string path, string message, Exception? innerException = null)
        : base(ErrorClass.Fatal, message, innerException)
    {
        Path = path;
    }

    /// <summary>Creates the exception.</summary>
    public CheckpointException()
        : base(ErrorClass.Fatal, "A checkpoint cannot be used.")
    {
        Path = string.Empty;
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public CheckpointException(string message)
        : base(ErrorClass.Fatal, message)
    {
        Path = string.Empty;
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The underlying cause.</param>
    public CheckpointException(string message, Exception innerException)
        : base(ErrorClass.Fatal, message, innerException)
    {
        Path = string.Empty;
    }

    /// <summary>Gets the file the problem is about: the checkpoint file, or the file a checkpoint points into.</summary>
    public string Path { get; }
}
