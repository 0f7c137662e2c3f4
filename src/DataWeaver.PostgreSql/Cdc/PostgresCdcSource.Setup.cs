using System.Runtime.CompilerServices;
using DataWeaver.PostgreSql.Source;
using DataWeaver.Serialization.Json;
using Npgsql;
using Npgsql.Replication;
using NpgsqlTypes;

namespace DataWeaver.PostgreSql.Cdc;

/// <summary>The server-side setup: wal_level, rights, the publication and the slot.</summary>
public sealed partial class PostgresCdcSource
{
    /// <summary>How long a slot still held by a session that is going away (a killed process's) is waited for.</summary>
    private static readonly TimeSpan ActiveSlotWait = TimeSpan.FromSeconds(10);

    /// <summary>Checks the server and the publication; returns the slot's confirmed position and whether it exists.</summary>
    private async Task<(ulong Confirmed, bool Exists)> PrepareAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource!.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var walLevel = (string?)await ScalarAsync(connection, "SHOW wal_level", null, cancellationToken).ConfigureAwait(false);
        if (walLevel != "logical")
        {
            PostgresCdcException.Throw(PostgresCdcFailure.WalLevel, $"The PostgreSQL server of {Name} has wal_level = {walLevel}: change data capture needs wal_level = logical (set it in postgresql.conf, or ALTER SYSTEM SET wal_level = logical, and restart the server).");
        }

        if (await ScalarAsync(connection, "SELECT rolreplication OR rolsuper FROM pg_roles WHERE rolname = current_user", null, cancellationToken).ConfigureAwait(false) is not true)
        {
            PostgresCdcException.Throw(PostgresCdcFailure.PermissionDenied, $"The user of {Name} may not use logical replication: give it the REPLICATION attribute (ALTER ROLE name REPLICATION).");
        }

        if (await ScalarAsync(connection, "SELECT 1 FROM pg_publication WHERE pubname = $1", Options.Publication, cancellationToken).ConfigureAwait(false) is null)
        {
            if (Options.Tables.Count == 0)
            {
                PostgresCdcException.Throw(PostgresCdcFailure.PublicationMissing, $"The publication '{Options.Publication}' of {Name} does not exist: create it (CREATE PUBLICATION {PostgresIdentifiers.Quote(Options.Publication)} FOR TABLE ...) or give the tables to create it with (PostgresCdcOptions.Tables, setting 'tables').");
            }

            var create = $"CREATE PUBLICATION {PostgresIdentifiers.Quote(Options.Publication)} FOR TABLE {string.Join(", ", Options.Tables.Select(PostgresIdentifiers.QuoteTable))}";
            try
            {
                await ExecuteAsync(connection, create, cancellationToken).ConfigureAwait(false);
            }
            catch (PostgresException error) when (error.SqlState == "42710")
            {
                // Created meanwhile by another source.
            }
        }

        var until = Options.TimeProvider.GetTimestamp();
        while (true)
        {
            var command = new NpgsqlCommand("SELECT plugin, database = current_database(), active, confirmed_flush_lsn FROM pg_replication_slots WHERE slot_name = $1", connection);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = Options.Slot });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return (0, false);
            }

            if (reader.IsDBNull(0) || reader.GetString(0) != "pgoutput" || !reader.GetBoolean(1))
            {
                PostgresCdcException.Throw(PostgresCdcFailure.SlotUnusable, $"The replication slot '{Options.Slot}' of {Name} is not a logical pgoutput slot of this database: choose another slot name, or drop it (SELECT pg_drop_replication_slot('{Options.Slot}')).");
            }

            if (!reader.GetBoolean(2))
            {
                return ((ulong)reader.GetFieldValue<NpgsqlLogSequenceNumber>(3), true);
            }

            if (Options.TimeProvider.GetElapsedTime(until) > ActiveSlotWait)
            {
                PostgresCdcException.Throw(PostgresCdcFailure.SlotUnusable, $"The replication slot '{Options.Slot}' of {Name} is being read by another session (for {ActiveSlotWait.TotalSeconds:0} s): one slot serves one running source.");
            }

            await reader.DisposeAsync().ConfigureAwait(false);
            await Task.Delay(TimeSpan.FromMilliseconds(250), Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Creates the slot; returns its consistent point, from which it streams.</summary>
    private async Task<ulong> CreateSlotAsync(LogicalReplicationConnection replication, CancellationToken cancellationToken)
    {
        try
        {
            var mode = Options.Snapshot ? LogicalSlotSnapshotInitMode.Export : LogicalSlotSnapshotInitMode.NoExport;
            var slot = await replication.CreatePgOutputReplicationSlot(Options.Slot, temporarySlot: false, slotSnapshotInitMode: mode, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (Options.Snapshot)
            {
                _snapshot = (slot.SnapshotName!, (ulong)slot.ConsistentPoint);
                _snapshotPending = true;
            }

            return (ulong)slot.ConsistentPoint;
        }
        catch (PostgresException error) when (error.SqlState == "42710")
        {
            // Created meanwhile by another source: read its position.
            var (confirmed, _) = await PrepareAsync(cancellationToken).ConfigureAwait(false);
            return confirmed;
        }
    }

    /// <summary>
    /// The rows of the publication's tables as <c>read</c> records, from the snapshot exported when the slot was created:
    /// imported in a repeatable-read transaction before the replication connection runs anything else.
    /// </summary>
    private async IAsyncEnumerable<JsonRecord> ReadSnapshotAsync(string snapshot, ulong lsn, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var connection = await _dataSource!.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        await ExecuteAsync(connection, $"SET TRANSACTION READ ONLY; SET TRANSACTION SNAPSHOT '{snapshot.Replace("'", "''", StringComparison.Ordinal)}'", cancellationToken).ConfigureAwait(false);
        var tables = new List<(string Schema, string Table)>();
        var list = new NpgsqlCommand("SELECT schemaname, tablename FROM pg_publication_tables WHERE pubname = $1 ORDER BY 1, 2", connection);
        await using (list.ConfigureAwait(false))
        {
            list.Parameters.Add(new NpgsqlParameter { Value = Options.Publication });
            var reader = await list.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using (reader.ConfigureAwait(false))
            {
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    tables.Add((reader.GetString(0), reader.GetString(1)));
                }
            }
        }

        using var rows = new PostgresRowDecoder();
        _xid = 0;
        foreach (var (schema, table) in tables)
        {
            var select = new NpgsqlCommand($"SELECT * FROM {PostgresIdentifiers.Quote(schema)}.{PostgresIdentifiers.Quote(table)}", connection);
            await using var selectScope = select.ConfigureAwait(false);
            var reader = await select.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            rows.Describe(reader);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                var row = rows.Decode(reader);
                yield return SnapshotRecord(schema + "." + table, lsn, row);
            }
        }
    }

    /// <summary>Waits (at most 5 s) until the server shows the slot confirmed at <paramref name="lsn"/> or beyond.</summary>
    private async Task WaitForConfirmedAsync(NpgsqlDataSource dataSource, ulong lsn)
    {
        if (lsn == 0)
        {
            return;
        }

        var connection = await dataSource.OpenConnectionAsync().ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var start = Options.TimeProvider.GetTimestamp();
        while (Options.TimeProvider.GetElapsedTime(start) < TimeSpan.FromSeconds(5))
        {
            var state = await ScalarAsync(connection, "SELECT CASE WHEN confirmed_flush_lsn >= $2::pg_lsn THEN 'confirmed' WHEN active THEN 'active' ELSE 'behind' END FROM pg_replication_slots WHERE slot_name = $1", new object[] { Options.Slot, new NpgsqlLogSequenceNumber(lsn).ToString() }, default).ConfigureAwait(false);
            if (state is null or "confirmed")
            {
                return;
            }

            if (state is "behind")
            {
                // Released before it took in the last status update (or never got it): move it there ourselves.
                await ScalarAsync(connection, "SELECT pg_replication_slot_advance($1::name, $2::pg_lsn) WHERE (SELECT confirmed_flush_lsn < $2::pg_lsn AND NOT active FROM pg_replication_slots WHERE slot_name = $1)", new object[] { Options.Slot, new NpgsqlLogSequenceNumber(lsn).ToString() }, default).ConfigureAwait(false);
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), Options.TimeProvider).ConfigureAwait(false);
        }
    }

    private static async Task<object?> ScalarAsync(NpgsqlConnection connection, string sql, object? parameter, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        foreach (var item in parameter is object[] values ? values : parameter is null ? [] : [parameter])
        {
            command.Parameters.Add(new NpgsqlParameter { Value = item });
        }

        var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        return value is DBNull ? null : value;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand(sql, connection);
        await using var commandScope = command.ConfigureAwait(false);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }
}
