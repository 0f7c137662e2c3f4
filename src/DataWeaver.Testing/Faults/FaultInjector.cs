using System.Globalization;
using DataWeaver.Errors;

namespace DataWeaver.Testing.Faults;

/// <summary>Applies <see cref="FaultOptions"/> to numbered calls and counts what it injected. Thread-safe.</summary>
public sealed class FaultInjector
{
    private long _calls;
    private long _failures;
    private long _hangs;

    /// <summary>Creates the injector.</summary>
    /// <param name="options">The faults.</param>
    /// <param name="target">Names what is wrapped in the errors thrown.</param>
    /// <exception cref="ArgumentException">The options are invalid.</exception>
    public FaultInjector(FaultOptions options, string target)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Target = target;
    }

    /// <summary>Gets the faults injected.</summary>
    public FaultOptions Options { get; }

    /// <summary>Gets the name of what is wrapped.</summary>
    public string Target { get; }

    /// <summary>Gets how many calls were made.</summary>
    public long Calls => Interlocked.Read(ref _calls);

    /// <summary>Gets how many calls failed by injection (data, transient and every n-th errors).</summary>
    public long Failures => Interlocked.Read(ref _failures);

    /// <summary>Gets how many calls hung (waited until cancelled).</summary>
    public long Hangs => Interlocked.Read(ref _hangs);

    /// <summary>Numbers the next call and injects its faults: waits, hangs until <paramref name="cancellationToken"/> fires, or throws.</summary>
    /// <param name="cancellationToken">The call's token; a hang ends when it fires.</param>
    /// <returns>A task that completes when the call may go on.</returns>
    /// <exception cref="DataWeaverException">The call fails by injection.</exception>
    /// <exception cref="OperationCanceledException">The call hung and was cancelled.</exception>
    public async ValueTask BeforeCallAsync(CancellationToken cancellationToken)
    {
        var call = Interlocked.Increment(ref _calls);
        var options = Options;
        if (options.Delay > TimeSpan.Zero)
        {
            await Task.Delay(options.Delay, options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        if (options.HangFromCall > 0 && call >= options.HangFromCall)
        {
            Interlocked.Increment(ref _hangs);
            await Task.Delay(Timeout.InfiniteTimeSpan, options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        if (call == options.DataErrorAtCall)
        {
            Throw(ErrorClass.Data, call, "a data error");
        }

        if (call <= options.TransientFailures)
        {
            Throw(ErrorClass.Transient, call, $"transient failure {call.ToString(CultureInfo.InvariantCulture)} of {options.TransientFailures.ToString(CultureInfo.InvariantCulture)}");
        }

        if (options.FailEveryNth > 0 && call % options.FailEveryNth == 0)
        {
            Throw(options.FailureClass, call, $"every {options.FailEveryNth.ToString(CultureInfo.InvariantCulture)}th call fails");
        }
    }

    private void Throw(ErrorClass errorClass, long call, string what)
    {
        Interlocked.Increment(ref _failures);
        throw new InjectedFaultException(errorClass, $"Injected fault in {Target}, call {call.ToString(CultureInfo.InvariantCulture)}: {what}.");
    }
}

/// <summary>An error a <see cref="FaultInjector"/> threw on purpose.</summary>
public sealed class InjectedFaultException : DataWeaverException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="errorClass">Transient, data or fatal.</param>
    /// <param name="message">What was injected where.</param>
    public InjectedFaultException(ErrorClass errorClass, string message)
        : base(errorClass, message)
    {
    }

    /// <summary>Creates a transient exception.</summary>
    public InjectedFaultException()
        : base(ErrorClass.Transient, "Injected fault.")
    {
    }

    /// <summary>Creates a transient exception.</summary>
    /// <param name="message">The message.</param>
    public InjectedFaultException(string message)
        : base(ErrorClass.Transient, message)
    {
    }

    /// <summary>Creates a transient exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public InjectedFaultException(string message, Exception innerException)
        : base(ErrorClass.Transient, message, innerException)
    {
    }
}
