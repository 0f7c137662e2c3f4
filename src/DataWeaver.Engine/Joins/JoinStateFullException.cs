using DataWeaver.Errors;

namespace DataWeaver.Joins;

/// <summary>
/// A join stage reached its state byte budget: a lookup table that would not fit <see cref="LookupJoinOptions.StateBudgetBytes"/>,
/// or a stream-stream join whose buffered records would pass <see cref="StreamJoinOptions.StateBudgetBytes"/>. Fatal: the
/// pipeline stops, and nothing is committed past the records the state held, so a restart with a larger budget loses nothing.
/// </summary>
public sealed class JoinStateFullException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="stage">The stage's name.</param>
    /// <param name="stateBudgetBytes">The budget.</param>
    /// <param name="stateBytes">The estimated bytes that would have passed it.</param>
    /// <param name="what">What the state holds, e.g. <c>table 'customers' (12,000 entries so far)</c>.</param>
    public JoinStateFullException(string stage, long stateBudgetBytes, long stateBytes, string what)
        : base(ErrorClass.Fatal, $"Join stage '{stage}' reached its state budget of {stateBudgetBytes} bytes (StateBudgetBytes): {what} would take {stateBytes} bytes; raise StateBudgetBytes or hold less.")
    {
        StateBudgetBytes = stateBudgetBytes;
        StateBytes = stateBytes;
    }

    /// <summary>Creates the exception with a message.</summary>
    public JoinStateFullException()
        : base(ErrorClass.Fatal, "A join stage reached its state budget.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public JoinStateFullException(string message)
        : base(ErrorClass.Fatal, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public JoinStateFullException(string message, Exception innerException)
        : base(ErrorClass.Fatal, message, innerException)
    {
    }

    /// <summary>Gets the byte budget that was reached, or 0.</summary>
    public long StateBudgetBytes { get; }

    /// <summary>Gets the state's estimated bytes when the budget was reached, or 0.</summary>
    public long StateBytes { get; }
}
