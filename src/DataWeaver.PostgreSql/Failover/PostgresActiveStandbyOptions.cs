using DataWeaver.Lifecycle;

namespace DataWeaver.PostgreSql.Failover;

/// <summary>Options of a <see cref="PostgresActiveStandby"/>. Copied when it is created.</summary>
public sealed record PostgresActiveStandbyOptions
{
    /// <summary>Gets the name of the pipeline host (states and logs show it).</summary>
    /// <value>The default is <see langword="null"/>: the lease's name.</value>
    public string? Name { get; init; }

    /// <summary>
    /// Gets the options of the <see cref="PipelineHost"/> each activation runs the pipeline in: the drain timeout of a stop
    /// and the restart policy after a failure (restarts stay under the same grant).
    /// </summary>
    /// <value>The default is a drain timeout of 30 seconds and no restart.</value>
    public PipelineHostOptions Host { get; init; } = new() { DrainTimeout = TimeSpan.FromSeconds(30) };

    /// <summary>
    /// Gets a value indicating whether an instance that lost the lease goes back to standby (and may become active again
    /// later); otherwise <see cref="PostgresActiveStandby.RunAsync"/> ends with the aborted run's state.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool StandbyAfterLoss { get; init; } = true;
}

/// <summary>Where a <see cref="PostgresActiveStandby"/> is.</summary>
public enum PostgresActiveStandbyState
{
    /// <summary>Not run yet.</summary>
    Created = 0,

    /// <summary>Waiting for the lease while another instance holds it; no pipeline runs.</summary>
    Standby = 1,

    /// <summary>Holding the lease; the pipeline runs.</summary>
    Active = 2,

    /// <summary>The pipeline ended (completed, stopped, failed) or the run was stopped; the lease was released.</summary>
    Ended = 3,
}

/// <summary>A change of <see cref="PostgresActiveStandby.State"/>.</summary>
/// <param name="previous">The state before.</param>
/// <param name="current">The state now.</param>
/// <param name="epoch">The lease epoch held in <paramref name="current"/>; 0 unless active.</param>
/// <param name="reason">Why the instance left <see cref="PostgresActiveStandbyState.Active"/> for standby (the loss reason); otherwise <see langword="null"/>.</param>
public sealed class PostgresActiveStandbyStateChangedEventArgs(PostgresActiveStandbyState previous, PostgresActiveStandbyState current, long epoch, string? reason) : EventArgs
{
    /// <summary>Gets the state before.</summary>
    public PostgresActiveStandbyState Previous { get; } = previous;

    /// <summary>Gets the state now.</summary>
    public PostgresActiveStandbyState Current { get; } = current;

    /// <summary>Gets the lease epoch held; 0 unless active.</summary>
    public long Epoch { get; } = epoch;

    /// <summary>Gets why the lease was lost, when the change is a loss; otherwise <see langword="null"/>.</summary>
    public string? Reason { get; } = reason;
}
