using Npgsql;

namespace DataWeaver.PostgreSql;

/// <summary>Creates the tables the package keeps its own state in (checkpoints, leases) when they are missing.</summary>
internal static class PostgresTables
{
    /// <summary>
    /// Runs <paramref name="createSql"/> (<c>CREATE ... IF NOT EXISTS</c>) under a transaction-scoped advisory lock named
    /// after the table, so that instances starting at once do not race (two concurrent <c>CREATE TABLE IF NOT EXISTS</c>
    /// can fail with a unique violation in the catalog).
    /// </summary>
    public static async Task CreateIfMissingAsync(NpgsqlDataSource dataSource, string table, string createSql, CancellationToken cancellationToken)
    {
        var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
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
