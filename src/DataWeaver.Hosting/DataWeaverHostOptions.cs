namespace DataWeaver.Hosting;

/// <summary>
/// How the host runs its pipelines: the drain timeout when the host stops, and what happens when a pipeline fails.
/// Set with <see cref="DataWeaverBuilder.Configure(Action{DataWeaverHostOptions})"/> or bind from configuration with
/// <see cref="DataWeaverBuilder.Configure(Microsoft.Extensions.Configuration.IConfiguration)"/>. Validated when the host
/// starts (every invalid value is reported at once, by name); read once then, so later changes do not apply.
/// </summary>
public sealed class DataWeaverHostOptions
{
    /// <summary>The configuration section <see cref="DataWeaverBuilder.Configure(Microsoft.Extensions.Configuration.IConfiguration)"/> is usually given: <c>DataWeaver</c>.</summary>
    public const string SectionName = "DataWeaver";

    /// <summary>
    /// Gets or sets how long a pipeline may drain when the host stops (the source stops reading; what was read is
    /// delivered and committed) before its run is aborted (what was acknowledged is still committed). The host's own
    /// shutdown timeout (<c>HostOptions.ShutdownTimeout</c>, 30 s by default) also aborts the drain when it passes first.
    /// </summary>
    /// <value>The default is 30 seconds; positive, or <see cref="Timeout.InfiniteTimeSpan"/> to wait for the drain.</value>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets or sets how many times a failed pipeline is started again (a new pipeline from its factory each time) before it stays failed.</summary>
    /// <value>The default is 0: a failed pipeline stays failed; from 0 to 1,000,000.</value>
    public int MaxRestarts { get; set; }

    /// <summary>Gets or sets how long to wait before starting a failed pipeline again; each further restart waits twice as long, up to <see cref="MaxRestartDelay"/>.</summary>
    /// <value>The default is 5 seconds; not negative.</value>
    public TimeSpan RestartDelay { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets or sets the longest wait between restarts.</summary>
    /// <value>The default is 5 minutes; at least <see cref="RestartDelay"/>.</value>
    public TimeSpan MaxRestartDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Gets or sets a value indicating whether a pipeline that failed for good (no restarts left) stops the whole application.</summary>
    /// <value>The default is <see langword="false"/>: the other pipelines go on and the health check reports the failure.</value>
    public bool StopApplicationOnFailure { get; set; }
}
