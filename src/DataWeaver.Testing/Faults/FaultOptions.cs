using DataWeaver.Errors;

namespace DataWeaver.Testing.Faults;

/// <summary>
/// What a <see cref="FaultInjectingSink{T}"/> or <see cref="FaultInjectingSource{T}"/> does to the calls it wraps
/// (a sink's writes, a source's reads). Calls are numbered from 1; the faults combine, checked in the order of the
/// properties below: a delay first, then a hang, a data error, the transient failures, and every n-th failure.
/// </summary>
public sealed record FaultOptions
{
    /// <summary>Gets how long every call waits (on <see cref="TimeProvider"/>) before it goes on: a slow system.</summary>
    /// <value>The default is <see cref="TimeSpan.Zero"/>: no delay. Zero or positive.</value>
    public TimeSpan Delay { get; init; }

    /// <summary>Gets the number of the first call that hangs: it and every later call wait until their cancellation token fires.</summary>
    /// <value>The default is 0: no call hangs. At least 0.</value>
    public int HangFromCall { get; init; }

    /// <summary>Gets the number of the call that fails with a <see cref="DataWeaverException"/> of <see cref="ErrorClass.Data"/>.</summary>
    /// <value>The default is 0: no data error. At least 0.</value>
    public int DataErrorAtCall { get; init; }

    /// <summary>Gets how many calls, from the first, fail with a transient error before calls succeed: a system that recovers.</summary>
    /// <value>The default is 0. At least 0.</value>
    public int TransientFailures { get; init; }

    /// <summary>Gets n where every n-th call (the n-th, the 2n-th, ...) fails with <see cref="FailureClass"/>.</summary>
    /// <value>The default is 0: never. At least 0.</value>
    public int FailEveryNth { get; init; }

    /// <summary>Gets the class of the errors <see cref="FailEveryNth"/> throws.</summary>
    /// <value>The default is <see cref="ErrorClass.Transient"/>.</value>
    public ErrorClass FailureClass { get; init; } = ErrorClass.Transient;

    /// <summary>Gets the clock <see cref="Delay"/> waits on (a <c>FakeTimeProvider</c> makes a slow system instant to test).</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    internal void Validate()
    {
        List<string> problems = [];
        if (Delay < TimeSpan.Zero)
        {
            problems.Add("FaultOptions.Delay must not be negative.");
        }

        if (HangFromCall < 0 || DataErrorAtCall < 0 || TransientFailures < 0 || FailEveryNth < 0)
        {
            problems.Add("FaultOptions.HangFromCall, DataErrorAtCall, TransientFailures and FailEveryNth must not be negative.");
        }

        if (TimeProvider is null)
        {
            problems.Add("FaultOptions.TimeProvider must not be null.");
        }

        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
    }
}
