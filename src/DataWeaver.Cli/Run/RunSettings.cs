namespace DataWeaver.Cli.Run;

/// <summary>How a session runs its pipelines: the drain timeout after a stop signal and the progress interval.</summary>
/// <param name="DrainTimeout">How long a drain may take before the pipelines are aborted; <see cref="Timeout.InfiniteTimeSpan"/> waits.</param>
/// <param name="ProgressInterval">How often plain progress lines are printed (the live table refreshes 4 times a second).</param>
internal sealed record RunSettings(TimeSpan DrainTimeout, TimeSpan ProgressInterval)
{
    /// <summary>The default drain timeout: 30 seconds, below Kubernetes' default grace period.</summary>
    public static readonly TimeSpan DefaultDrainTimeout = TimeSpan.FromSeconds(30);

    /// <summary>The default interval of plain progress lines: 5 seconds.</summary>
    public static readonly TimeSpan DefaultProgressInterval = TimeSpan.FromSeconds(5);

    /// <summary>Gets the CLI's log, whose lines the live table holds while it is drawn.</summary>
    /// <value>The default is <see langword="null"/>: no log.</value>
    public Logging.CliLog? Log { get; init; }
}

/// <summary>How a session ended.</summary>
internal enum RunOutcome
{
    /// <summary>Every pipeline ran out of records and completed.</summary>
    Completed,

    /// <summary>A stop signal came and every pipeline drained: what was read was delivered and committed.</summary>
    Drained,

    /// <summary>A pipeline failed (the others ran on to their own end).</summary>
    Failed,

    /// <summary>A second stop signal or the drain timeout aborted the pipelines.</summary>
    Aborted,
}
