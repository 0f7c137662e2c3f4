using Npgsql;

namespace DataWeaver.PostgreSql;

/// <summary>Creates the tables the package keeps its own state in (checkpoints, leases) when they are missing.</summary>
internal static class PostgresTables
{
    /// <summary>
    /// Runs <paramref name="createSql"/> (<c>CREATE ... IF NOT EXISTS</c>) under a transaction-scoped advisory lock named
    /// after the table, so that instances starting at once do not race (two concurrent <c>CREATE TABLE IF NOT EXISTS</c>
    /// can fail with a unique violation in the catalog). An existing table is left alone without asking for more than
    /// its lookup, so a user without CREATE on the schema can use a table made for it.
    /// </summary>
    public static async Task CreateIfMissingAsync(string connectionString, string table, string createSql, CancellationToken cancellationToken)
    {
        var connection = new NpgsqlConnection(connectionString);
        await using var connectionScope = connection.ConfigureAwait(false);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        var exists = new NpgsqlCommand("SELECT to_regclass($1) IS NOT NULL", connection) { Parameters = { new NpgsqlParameter { Value = PostgresIdentifiers.QuoteTable(table) } } };
        await using (exists.ConfigureAwait(false))
        {
            if (await exists.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) is true)
            {
                return; // CREATE TABLE IF NOT EXISTS needs CREATE on the schema even when the table exists
            }
        }

        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var batch = new NpgsqlBatch(connection, transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))") { Parameters = { new NpgsqlParameter { Value = "dataweaver-create:" + table } } },
                new NpgsqlBatchCommand(createSql),
            },
        };
        await using (batch.ConfigureAwait(false))
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
    }
}

/// <summary>
/// One of the package's own tables, created at most once per owner (<see cref="PostgresTables.CreateIfMissingAsync"/>),
/// and tried again after a try that failed or was cancelled.
/// </summary>
/// <param name="connectionString">Where.</param>
/// <param name="table">The table's name as configured (for messages and the creation lock).</param>
/// <param name="createSql">The <c>CREATE TABLE IF NOT EXISTS</c> statement.</param>
/// <param name="description">What the table holds, for the error message ("checkpoint", "lease").</param>
internal sealed class PostgresOwnTable(string connectionString, string table, string createSql, string description)
{
    private readonly Lock _lock = new();
    private Task? _created;

    /// <summary>Creates the table if that was not done yet; the same task for concurrent callers.</summary>
    public Task EnsureAsync(CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_created is null || _created.IsFaulted || _created.IsCanceled)
            {
                _created = CreateAsync(cancellationToken);
            }

            return _created;
        }
    }

    private async Task CreateAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PostgresTables.CreateIfMissingAsync(connectionString, table, createSql, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw PostgresErrors.Map(error, $"Creating the {description} table {table}");
        }
    }
}
