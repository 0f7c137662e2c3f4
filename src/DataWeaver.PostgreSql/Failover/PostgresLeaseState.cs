namespace DataWeaver.PostgreSql.Failover;

/// <summary>Where a <see cref="PostgresLease"/> is, as its metrics and logs show it.</summary>
public enum PostgresLeaseState
{
    /// <summary>Not held and not asked for: before the first acquire, after a release or a loss.</summary>
    Idle = 0,

    /// <summary>A standby: another instance holds the lease, and this one asks every <see cref="PostgresLeaseOptions.RetryInterval"/>.</summary>
    Standby = 1,

    /// <summary>Held: this instance is the active one and renews the lease.</summary>
    Active = 2,
}

/// <summary>The lease row as the server has it (see <see cref="PostgresLease.ReadAsync"/>).</summary>
/// <param name="Name">The lease's name.</param>
/// <param name="Holder">The instance that holds (or last held) it.</param>
/// <param name="Epoch">How many times it was acquired: each acquisition adds one, and fences compare it.</param>
/// <param name="ExpiresAt">When it expires unless renewed, by the server's clock.</param>
/// <param name="AcquiredAt">When its holder acquired it, by the server's clock.</param>
/// <param name="RenewedAt">When its holder last renewed it, by the server's clock.</param>
/// <param name="IsExpired">Whether it had expired when it was read, by the server's clock.</param>
public sealed record PostgresLeaseInfo(string Name, string Holder, long Epoch, DateTimeOffset ExpiresAt, DateTimeOffset AcquiredAt, DateTimeOffset RenewedAt, bool IsExpired);
