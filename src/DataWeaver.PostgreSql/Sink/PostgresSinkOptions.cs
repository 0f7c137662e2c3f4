using System.Text;

namespace DataWeaver.PostgreSql.Sink;

/// <summary>
/// Options of a <see cref="PostgresSink"/>: where to write, how records map to rows, and how transient errors are retried.
/// Copied when the sink is created. <see cref="ToString"/> never shows the connection string's password.
/// </summary>
public sealed record PostgresSinkOptions
{
    /// <summary>
    /// Gets the Npgsql connection string (<c>Host=...;Database=...;Username=...;Password=...</c>). It appears nowhere the sink
    /// writes: not in graphs, logs, errors or dead letters.
    /// </summary>
    /// <value>Required; there is no default.</value>
    public string ConnectionString { get; init; } = "";

    /// <summary>Gets the table written: <c>orders</c> (found through the search path) or <c>schema.orders</c>. It must exist.</summary>
    /// <value>Required; there is no default.</value>
    public string Table { get; init; } = "";

    /// <summary>
    /// Gets the key columns of a keyed table (its primary key or a unique constraint over exactly these columns). With keys,
    /// each record is upserted (<c>INSERT ... ON CONFLICT (keys) DO UPDATE</c>) and a tombstone (see <see cref="DeleteField"/>)
    /// deletes its row, so writing a record twice (a replay after a crash) leaves the same table. Without keys, records are
    /// appended with binary <c>COPY</c>, the fastest way in, where a replay after a crash appends again (at least once).
    /// </summary>
    /// <value>The default is none: append-only.</value>
    public IReadOnlyList<string> KeyColumns { get; init; } = [];

    /// <summary>
    /// Gets the columns written, each from the record field of the same name (a missing or null field writes SQL NULL).
    /// </summary>
    /// <value>
    /// The default (<see langword="null"/>) is every column of the table except generated and identity columns and
    /// columns whose default comes from a sequence (serial columns): the server fills those.
    /// </value>
    public IReadOnlyList<string>? Columns { get; init; }

    /// <summary>
    /// Gets the field that marks a tombstone in a keyed table: a record whose field is <c>true</c> deletes the row of its
    /// key instead of upserting it. The field is never written as a column.
    /// </summary>
    /// <value>The default is <c>__deleted</c>.</value>
    public string DeleteField { get; init; } = "__deleted";

    /// <summary>
    /// Gets how many times a batch is tried when the server or the network fails transiently (connection lost, server
    /// restarting or shut down by an administrator, serialization failure, deadlock) before the error goes to the
    /// pipeline's error policy as transient. Each attempt runs on a fresh connection, as one transaction.
    /// </summary>
    /// <value>The default is 5; from 1 (no retry) to 100.</value>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Gets the wait before the first retry; each further retry waits twice as long, up to <see cref="MaxRetryDelay"/>.</summary>
    /// <value>The default is 200 milliseconds; zero or positive.</value>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Gets the longest wait between two attempts.</summary>
    /// <value>The default is 5 seconds; at least <see cref="RetryDelay"/>.</value>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the clock the retry waits run on (a fake one in tests).</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the options.</summary>
    /// <returns>Every failure, naming the option; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            failures.Add("PostgresSinkOptions.ConnectionString is required.");
        }

        if (string.IsNullOrWhiteSpace(Table))
        {
            failures.Add("PostgresSinkOptions.Table is required.");
        }

        if (KeyColumns.Any(string.IsNullOrWhiteSpace) || (Columns?.Any(string.IsNullOrWhiteSpace) ?? false))
        {
            failures.Add("PostgresSinkOptions.KeyColumns and Columns must not hold empty names.");
        }

        if (Columns is { } columns && KeyColumns.FirstOrDefault(key => !columns.Contains(key, StringComparer.Ordinal)) is { } missing)
        {
            failures.Add($"PostgresSinkOptions.Columns must include every key column ('{missing}' is missing).");
        }

        if (string.IsNullOrEmpty(DeleteField))
        {
            failures.Add("PostgresSinkOptions.DeleteField must not be empty.");
        }

        if (MaxAttempts is < 1 or > 100)
        {
            failures.Add($"PostgresSinkOptions.MaxAttempts must be from 1 to 100 (was {MaxAttempts}).");
        }

        if (RetryDelay < TimeSpan.Zero || MaxRetryDelay < RetryDelay)
        {
            failures.Add($"PostgresSinkOptions.RetryDelay must be zero or positive and at most MaxRetryDelay (were {RetryDelay} and {MaxRetryDelay}).");
        }

        return failures;
    }

    /// <summary>Describes the options without the connection string's password.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder("PostgresSinkOptions { ");
        text.Append("Server = ").Append(PostgresConnectionString.Describe(ConnectionString)).Append(", Table = ").Append(Table);
        if (KeyColumns.Count > 0)
        {
            text.Append(", KeyColumns = [").AppendJoin(", ", KeyColumns).Append(']');
        }

        return text.Append(" }").ToString();
    }
}
