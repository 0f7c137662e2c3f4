using DataWeaver.Errors;

namespace DataWeaver.Windowing;

/// <summary>
/// A window stage reached its state bound: its byte budget (<see cref="WindowOptions.StateBudgetBytes"/>) or its key
/// bound (<see cref="WindowOptions.MaxKeys"/>, <see cref="TumblingWindowOptions.MaxKeys"/>). Fatal: the pipeline stops,
/// and nothing is committed past the records of the open windows, so a restart with a larger bound loses nothing.
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

    /// <summary>Creates the exception for a byte budget.</summary>
    /// <param name="stage">The stage's name.</param>
    /// <param name="stateBudgetBytes">The budget.</param>
    /// <param name="stateBytes">The state's estimated bytes that would have passed it.</param>
    public WindowStateFullException(string stage, long stateBudgetBytes, long stateBytes)
        : base(ErrorClass.Fatal, $"Window stage '{stage}' reached its state budget of {stateBudgetBytes} bytes (StateBudgetBytes; the state would take {stateBytes} bytes); raise StateBudgetBytes, shorten the windows or reduce the keys.")
    {
        StateBudgetBytes = stateBudgetBytes;
        StateBytes = stateBytes;
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

    /// <summary>Gets the key bound that was reached, or 0 when the byte budget was.</summary>
    public int MaxKeys { get; }

    /// <summary>Gets the byte budget that was reached, or 0 when the key bound was.</summary>
    public long StateBudgetBytes { get; }

    /// <summary>Gets the state's estimated bytes when the byte budget was reached, or 0.</summary>
    public long StateBytes { get; }
}
