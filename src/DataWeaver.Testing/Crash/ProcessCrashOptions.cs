namespace DataWeaver.Testing.Crash;

/// <summary>Options of a <see cref="ProcessCrashScenario"/>.</summary>
public sealed record ProcessCrashOptions
{
    /// <summary>Gets how many times the process is killed (SIGKILL) before the last run, which must end by itself.</summary>
    /// <value>The default is 5; at least 1.</value>
    public int Kills { get; init; } = 5;

    /// <summary>Gets the seed of the random kill points (each kill lands in its own slice of the expected output).</summary>
    /// <value>The default is 10.</value>
    public int Seed { get; init; } = 10;

    /// <summary>Gets how long one run may take to reach its kill point, or the last run to end: a guard against hangs.</summary>
    /// <value>The default is 2 minutes.</value>
    public TimeSpan Guard { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Gets the most duplicates one kill may cause: the records that were written but not yet committed when the
    /// process died. With continuous commits that is the process pipeline's <c>MaxInFlightRecords</c>.
    /// </summary>
    /// <value>The default is 65,536 (the default <c>MaxInFlightRecords</c>); at least 0.</value>
    public long MaxDuplicatesPerKill { get; init; } = 65_536;

    /// <summary>
    /// Gets a value indicating whether the last run is stopped by the scenario: for a process over an endless input (a
    /// topic), the last run is sent SIGTERM (a drain, on Linux and macOS) once the output holds every sequence id, and
    /// must then exit with code 0. Without it the last run must end by itself.
    /// </summary>
    /// <value>The default is <see langword="false"/>: the process ends by itself once its input is read.</value>
    public bool StopLastRunWhenComplete { get; init; }

    /// <summary>Gets how often the output is polled while waiting for a kill point.</summary>
    /// <value>The default is 5 milliseconds; raise it when counting the output is costly (a broker round trip).</value>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromMilliseconds(5);

    internal void Validate()
    {
        if (Kills < 1 || MaxDuplicatesPerKill < 0 || Guard <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero)
        {
            throw new ArgumentException("ProcessCrashOptions: Kills must be at least 1, Guard and PollInterval positive.");
        }
    }
}
