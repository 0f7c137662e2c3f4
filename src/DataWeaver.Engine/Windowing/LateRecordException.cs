using DataWeaver.Errors;

namespace DataWeaver.Windowing;

/// <summary>
/// A record arrived after its event-time window was emitted (its event time is more than
/// <see cref="TumblingWindowOptions.MaxOutOfOrderness"/> behind the newest one seen). A data error: the stage's error
/// policy dead-letters, skips or fails it.
/// </summary>
public sealed class LateRecordException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="eventTime">The record's event time.</param>
    /// <param name="watermark">The stage's watermark when the record arrived.</param>
    public LateRecordException(DateTimeOffset eventTime, DateTimeOffset watermark)
        : base(ErrorClass.Data, $"The record's event time {eventTime:O} is in a window that closed: the watermark was already at {watermark:O}.")
    {
        EventTime = eventTime;
        Watermark = watermark;
    }

    /// <summary>Creates the exception with a message.</summary>
    public LateRecordException()
        : base(ErrorClass.Data, "A record arrived after its window closed.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">What went wrong.</param>
    public LateRecordException(string message)
        : base(ErrorClass.Data, message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public LateRecordException(string message, Exception innerException)
        : base(ErrorClass.Data, message, innerException)
    {
    }

    /// <summary>Gets the record's event time.</summary>
    public DateTimeOffset EventTime { get; }

    /// <summary>Gets the stage's watermark when the record arrived.</summary>
    public DateTimeOffset Watermark { get; }
}
