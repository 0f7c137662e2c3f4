using System.Text;

namespace DataWeaver.PostgreSql.Failover;

/// <summary>
/// Options of a <see cref="PostgresCheckpointStore"/>: the server, the table and, for active/standby pipelines, the lease
/// every save is fenced by. Copied when the store is created. <see cref="ToString"/> never shows the connection string's
/// password.
/// </summary>
public sealed record PostgresCheckpointStoreOptions
{
    /// <summary>The default <see cref="Table"/>.</summary>
    public const string DefaultTable = "dataweaver_checkpoints";

    /// <summary>Gets the Npgsql connection string. It appears nowhere the store writes: not in rows, logs or errors.</summary>
    /// <value>Required; there is no default.</value>
    public string ConnectionString { get; init; } = "";

    /// <summary>
    /// Gets the table the checkpoints are kept in (<c>dataweaver_checkpoints</c> or <c>schema.table</c>), one row per key; created
    /// when missing (the user then needs <c>CREATE</c> on the schema), otherwise the user needs <c>SELECT</c>, <c>INSERT</c> and <c>UPDATE</c> on it.
    /// </summary>
    /// <value>The default is <c>dataweaver_checkpoints</c>, found by the connection's search path.</value>
    public string Table { get; init; } = DefaultTable;

    /// <summary>
    /// Gets the lease every save is fenced by: a save commits only if, in the same transaction, the lease row still names this
    /// grant's holder and epoch and has not expired (the row is locked <c>FOR SHARE</c>, so a take-over waits for the save
    /// to commit, and a save after the take-over is refused). A refused save throws a <see cref="PostgresLeaseLostException"/>,
    /// which fails the pipeline: an instance that lost its lease can never move the checkpoint. With a fence the store takes
    /// no lock of its own (<see cref="PostgresCheckpointStore.Lock"/>): the lease is the lock.
    /// </summary>
    /// <value>The default is none: saves are not fenced, and a run locks its key with a session advisory lock.</value>
    public PostgresLeaseGrant? Fence { get; init; }

    /// <summary>Gets how long one load or save may take before it fails (Npgsql's command timeout).</summary>
    /// <value>The default is 30 seconds; from 1 second to 1 hour.</value>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Checks the options.</summary>
    /// <returns>Every failure, naming the option; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            failures.Add("PostgresCheckpointStoreOptions.ConnectionString is required.");
        }

        if (string.IsNullOrWhiteSpace(Table))
        {
            failures.Add("PostgresCheckpointStoreOptions.Table is required.");
        }

        if (CommandTimeout < TimeSpan.FromSeconds(1) || CommandTimeout > TimeSpan.FromHours(1))
        {
            failures.Add($"PostgresCheckpointStoreOptions.CommandTimeout must be from 1 second to 1 hour (was {CommandTimeout}).");
        }

        return failures;
    }

    /// <summary>Describes the options without the connection string's password.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder("PostgresCheckpointStoreOptions { Server = ").Append(PostgresConnectionString.Describe(ConnectionString));
        text.Append(", Table = ").Append(Table);
        if (Fence is { } fence)
        {
            text.Append(", Fence = ").Append(fence);
        }

        return text.Append(" }").ToString();
    }
}
