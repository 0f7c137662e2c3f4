using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace DataWeaver.PostgreSql.Failover;

/// <summary>
/// Options of a <see cref="PostgresLease"/>: the server and table the lease row lives in, the lease's name, this
/// instance's name, and the timing (how long a lease lasts unrenewed, how often it is renewed, how often a standby asks).
/// Copied when the lease is created. <see cref="ToString"/> never shows the connection string's password.
/// </summary>
public sealed record PostgresLeaseOptions
{
    /// <summary>The default <see cref="Table"/>.</summary>
    public const string DefaultTable = "dataweaver_leases";

    /// <summary>Gets the Npgsql connection string. It appears nowhere the lease writes: not in rows, logs, metrics or errors.</summary>
    /// <value>Required; there is no default.</value>
    public string ConnectionString { get; init; } = "";

    /// <summary>Gets the lease's name: every instance of one pipeline uses the same (for example the pipeline's name).</summary>
    /// <value>Required; there is no default.</value>
    public string Name { get; init; } = "";

    /// <summary>
    /// Gets the table the lease rows are kept in (<c>name text PRIMARY KEY, holder text, epoch bigint, expires_at timestamptz,
    /// acquired_at timestamptz, renewed_at timestamptz</c>), created when missing. The user needs <c>SELECT</c>, <c>INSERT</c> and
    /// <c>UPDATE</c> on it, and so does every user whose writes are fenced by it.
    /// </summary>
    /// <value>The default is <c>dataweaver_leases</c>, found by the connection's search path.</value>
    public string Table { get; init; } = DefaultTable;

    /// <summary>
    /// Gets this instance's name, written as the lease's holder: unique per process (two processes with one name would
    /// both believe they hold the lease). Letters, digits and <c>. _ - : @</c> only.
    /// </summary>
    /// <value>The default is <c>MACHINE:PID:RANDOM</c>, unique per <see cref="PostgresLeaseOptions"/> instance.</value>
    public string InstanceId { get; init; } = DefaultInstanceId();

    /// <summary>
    /// Gets how long the lease lasts after its last renewal, by the server's clock. The holder stops (its pipeline is aborted)
    /// when it could not renew within this time, counted by its own clock from the moment it sent its last successful renewal,
    /// which is never later than the server's expiry; a standby takes over once it has expired on the server. A crashed or
    /// partitioned holder is replaced after at most this time (plus <see cref="RetryInterval"/>).
    /// </summary>
    /// <value>The default is 15 seconds; from 1 second to 1 hour.</value>
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Gets how often the holder renews the lease.</summary>
    /// <value>The default is <see langword="null"/>: a third of <see cref="Duration"/>. At most half of <see cref="Duration"/>, positive.</value>
    public TimeSpan? RenewInterval { get; init; }

    /// <summary>Gets how often a standby asks whether the lease has expired (and a failed renewal is tried again).</summary>
    /// <value>The default is 1 second; positive, at most <see cref="Duration"/>.</value>
    public TimeSpan RetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the clock of the renewals, waits and local expiry (a fake one in tests).</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Gets where the lease's state changes are logged (acquired, waiting, renewal failed, lost, released).</summary>
    /// <value>The default is <see langword="null"/>: not logged.</value>
    public ILogger? Logger { get; init; }

    /// <summary>Gets the renewal interval in effect: <see cref="RenewInterval"/> or a third of <see cref="Duration"/>.</summary>
    public TimeSpan EffectiveRenewInterval => RenewInterval ?? Duration / 3;

    /// <summary>Checks the options.</summary>
    /// <returns>Every failure, naming the option; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            failures.Add("PostgresLeaseOptions.ConnectionString is required.");
        }

        if (string.IsNullOrWhiteSpace(Name))
        {
            failures.Add("PostgresLeaseOptions.Name is required.");
        }

        if (string.IsNullOrWhiteSpace(Table))
        {
            failures.Add("PostgresLeaseOptions.Table is required.");
        }

        if (string.IsNullOrEmpty(InstanceId) || InstanceId.Length > 200 || !InstanceId.All(IsInstanceIdChar))
        {
            failures.Add("PostgresLeaseOptions.InstanceId must be 1 to 200 letters, digits or . _ - : @ (it is sent to the server as a session setting).");
        }

        if (Duration < TimeSpan.FromSeconds(1) || Duration > TimeSpan.FromHours(1))
        {
            failures.Add($"PostgresLeaseOptions.Duration must be from 1 second to 1 hour (was {Duration}).");
        }

        if (EffectiveRenewInterval <= TimeSpan.Zero || EffectiveRenewInterval > Duration / 2)
        {
            failures.Add($"PostgresLeaseOptions.RenewInterval must be positive and at most half of Duration (was {EffectiveRenewInterval}).");
        }

        if (RetryInterval <= TimeSpan.Zero || RetryInterval > Duration)
        {
            failures.Add($"PostgresLeaseOptions.RetryInterval must be positive and at most Duration (was {RetryInterval}).");
        }

        return failures;
    }

    /// <summary>Describes the options without the connection string's password.</summary>
    /// <returns>The description.</returns>
    public override string ToString() => new StringBuilder("PostgresLeaseOptions { Server = ")
        .Append(PostgresConnectionString.Describe(ConnectionString))
        .Append(", Table = ").Append(Table)
        .Append(", Name = ").Append(Name)
        .Append(", InstanceId = ").Append(InstanceId)
        .Append(", Duration = ").Append(Duration.ToString("c", CultureInfo.InvariantCulture))
        .Append(" }").ToString();

    internal static bool IsInstanceIdChar(char c) => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' or ':' or '@';

    private static string DefaultInstanceId()
    {
        var machine = new string([.. Environment.MachineName.Select(c => IsInstanceIdChar(c) ? c : '-')]);
        return string.Create(CultureInfo.InvariantCulture, $"{(machine.Length == 0 ? "host" : machine)}:{Environment.ProcessId}:{Random.Shared.Next(0x1000000):x6}");
    }
}
