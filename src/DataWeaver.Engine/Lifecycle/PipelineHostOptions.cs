using DataWeaver.Errors;

namespace DataWeaver.Lifecycle;

/// <summary>How a <see cref="PipelineHost"/> runs its pipeline: the drain timeout, the restart policy and the clock. Immutable.</summary>
public sealed record PipelineHostOptions
{
    /// <summary>
    /// Gets how long a stop may drain (the source stopped reading; what was read is delivered and committed) before the
    /// run is aborted (what was acknowledged is still committed).
    /// </summary>
    /// <value>The default is <see cref="Timeout.InfiniteTimeSpan"/>: wait for the drain; otherwise not negative.</value>
    public TimeSpan DrainTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    /// <summary>Gets what happens when a run fails: how often and after which delays the pipeline starts again.</summary>
    /// <value>The default is <see cref="PipelineRestartPolicy.None"/>: a failed pipeline stays failed.</value>
    public PipelineRestartPolicy Restart { get; init; } = PipelineRestartPolicy.None;

    /// <summary>Gets the clock of the restart delays, the drain timeout and <see cref="PipelineHost.StartedAt"/>.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="TimeProvider.System"/>.</value>
    public TimeProvider? TimeProvider { get; init; }

    /// <summary>Checks the options, listing every invalid value by name.</summary>
    /// <exception cref="PipelineConfigurationException">A value is out of range.</exception>
    public void Validate()
    {
        List<string> errors = [];
        if (DrainTimeout < TimeSpan.Zero && DrainTimeout != Timeout.InfiniteTimeSpan)
        {
            errors.Add($"{nameof(DrainTimeout)} must not be negative, or be Timeout.InfiniteTimeSpan; it is {DrainTimeout}.");
        }

        Restart.Validate(errors);
        if (errors.Count > 0)
        {
            ThrowHelper.ThrowConfiguration(errors);
        }
    }
}

/// <summary>
/// When a failed run starts again: up to <see cref="MaxRestarts"/> times, the first after <see cref="Delay"/>, each
/// further one after twice the delay before it, never longer than <see cref="MaxDelay"/> (exponential backoff). Each
/// restart builds the pipeline again (a new pipeline from the host's factory). A stop during the delay ends it.
/// </summary>
public sealed record PipelineRestartPolicy
{
    /// <summary>Gets the policy that never restarts.</summary>
    public static PipelineRestartPolicy None { get; } = new();

    /// <summary>Gets how many times a failed pipeline is started again before it stays failed.</summary>
    /// <value>The default is 0; from 0 to 1,000,000.</value>
    public int MaxRestarts { get; init; }

    /// <summary>Gets the wait before the first restart; each further restart waits twice as long, up to <see cref="MaxDelay"/>.</summary>
    /// <value>The default is 5 seconds; not negative.</value>
    public TimeSpan Delay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the longest wait between restarts.</summary>
    /// <value>The default is 5 minutes; at least <see cref="Delay"/>.</value>
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets the wait before a restart.</summary>
    /// <param name="restart">How many restarts came before this one (0 for the first).</param>
    /// <returns><see cref="Delay"/> times 2 to the power <paramref name="restart"/>, at most <see cref="MaxDelay"/>.</returns>
    public TimeSpan DelayBefore(int restart)
    {
        var delay = Delay * Math.Pow(2, Math.Clamp(restart, 0, 30));
        return delay > MaxDelay ? MaxDelay : delay;
    }

    internal void Validate(List<string> errors)
    {
        if (MaxRestarts is < 0 or > 1_000_000)
        {
            errors.Add($"Restart.{nameof(MaxRestarts)} must be from 0 to 1,000,000; it is {MaxRestarts}.");
        }

        if (Delay < TimeSpan.Zero)
        {
            errors.Add($"Restart.{nameof(Delay)} must not be negative; it is {Delay}.");
        }

        if (MaxDelay < Delay)
        {
            errors.Add($"Restart.{nameof(MaxDelay)} must be at least Restart.{nameof(Delay)} ({Delay}); it is {MaxDelay}.");
        }
    }
}
