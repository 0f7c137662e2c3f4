using System.Text;
using DataWeaver.Checkpoints;

namespace DataWeaver.PostgreSql.Source;

/// <summary>
/// Options of a <see cref="PostgresSource"/>: what to read (a table or a query), in which order it is paged and resumed,
/// and where the position is checkpointed. Copied when the source is created. <see cref="ToString"/> never shows the
/// connection string's password.
/// </summary>
public sealed record PostgresSourceOptions
{
    /// <summary>Gets the Npgsql connection string. It appears nowhere the source writes: not in records, graphs, logs, errors or checkpoints.</summary>
    /// <value>Required; there is no default.</value>
    public string ConnectionString { get; init; } = "";

    /// <summary>Gets the table read (<c>orders</c> or <c>schema.orders</c>); give this or <see cref="Query"/>.</summary>
    /// <value>The default is none.</value>
    public string? Table { get; init; }

    /// <summary>
    /// Gets a query read instead of a table (<c>SELECT id, total FROM orders WHERE region = 'eu'</c>): it is wrapped as a
    /// subquery, so the order columns must be among its output columns.
    /// </summary>
    /// <value>The default is none.</value>
    public string? Query { get; init; }

    /// <summary>
    /// Gets the column that grows with every insert or update (<c>updated_at</c>, a sequence-filled <c>id</c>): incremental
    /// mode reads rows in order of it and, after a restart or with <see cref="Follow"/>, only rows beyond the last position.
    /// Rows sharing a value are told apart by <see cref="KeyColumn"/>. Its type must be an integer, <c>timestamp</c>,
    /// <c>timestamptz</c> or <c>date</c>. A row written later with a value below the position already read is not seen: the
    /// column must only grow in commit order (a timestamp set by a trigger can be late by the length of a transaction).
    /// </summary>
    /// <value>The default is none: the table is read in order of <see cref="KeyColumn"/>.</value>
    public string? IncrementingColumn { get; init; }

    /// <summary>
    /// Gets the unique key column that orders the rows (the tie-breaker of <see cref="IncrementingColumn"/>): pages are read
    /// by keyset, <c>WHERE (col, key) &gt; (last col, last key) ORDER BY col, key LIMIT PageSize</c>, so a restart resumes
    /// exactly after the last row committed, rows sharing one <c>updated_at</c> included. Its type must be an integer,
    /// <c>timestamp</c>, <c>timestamptz</c> or <c>date</c>.
    /// </summary>
    /// <value>The default is none: the table or query is read once, in one pass, without positions to resume from.</value>
    public string? KeyColumn { get; init; }

    /// <summary>Gets how many rows one query reads.</summary>
    /// <value>The default is 1,000; from 1 to 1,000,000.</value>
    public int PageSize { get; init; } = 1000;

    /// <summary>
    /// Gets a value indicating whether the source keeps polling for new rows after the last one (a never-ending source);
    /// otherwise it ends once a page comes back empty. Needs <see cref="KeyColumn"/>.
    /// </summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Follow { get; init; }

    /// <summary>Gets how long a following source waits before it asks again after a page came back short.</summary>
    /// <value>The default is 1 second; positive.</value>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Gets the store the position (the order columns' values of the last row committed) is saved in, so a restarted
    /// pipeline reads on after it. Needs <see cref="KeyColumn"/>.
    /// </summary>
    /// <value>The default is none: every run starts from the first row.</value>
    public ICheckpointStore? CheckpointStore { get; init; }

    /// <summary>Gets the key of the checkpoint in <see cref="CheckpointStore"/>.</summary>
    /// <value>The default is <c>postgres:HOST:PORT/DATABASE/TABLE</c> (or a hash of the query); never the password.</value>
    public string? CheckpointKey { get; init; }

    /// <summary>Gets how many times reading a page is tried when the server fails transiently, reconnecting each time.</summary>
    /// <value>The default is 5; from 1 to 100.</value>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Gets the clock of the poll and retry waits (a fake one in tests).</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Checks the options.</summary>
    /// <returns>Every failure, naming the option; empty when valid.</returns>
    public IReadOnlyList<string> Validate()
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            failures.Add("PostgresSourceOptions.ConnectionString is required.");
        }

        if (string.IsNullOrWhiteSpace(Table) == string.IsNullOrWhiteSpace(Query))
        {
            failures.Add("PostgresSourceOptions needs exactly one of Table and Query.");
        }

        if (KeyColumn is null && (IncrementingColumn is not null || Follow || CheckpointStore is not null))
        {
            failures.Add("PostgresSourceOptions.KeyColumn is required with IncrementingColumn, Follow or a CheckpointStore: it orders the rows and tells apart rows sharing a value.");
        }

        if (PageSize is < 1 or > 1_000_000)
        {
            failures.Add($"PostgresSourceOptions.PageSize must be from 1 to 1,000,000 (was {PageSize}).");
        }

        if (PollInterval <= TimeSpan.Zero)
        {
            failures.Add($"PostgresSourceOptions.PollInterval must be positive (was {PollInterval}).");
        }

        if (MaxAttempts is < 1 or > 100)
        {
            failures.Add($"PostgresSourceOptions.MaxAttempts must be from 1 to 100 (was {MaxAttempts}).");
        }

        return failures;
    }

    /// <summary>Describes the options without the connection string's password.</summary>
    /// <returns>The description.</returns>
    public override string ToString()
    {
        var text = new StringBuilder("PostgresSourceOptions { Server = ").Append(PostgresConnectionString.Describe(ConnectionString));
        text.Append(Table is null ? ", Query = (a query)" : ", Table = " + Table);
        if (IncrementingColumn is not null)
        {
            text.Append(", IncrementingColumn = ").Append(IncrementingColumn);
        }

        if (KeyColumn is not null)
        {
            text.Append(", KeyColumn = ").Append(KeyColumn);
        }

        return text.Append(" }").ToString();
    }
}
