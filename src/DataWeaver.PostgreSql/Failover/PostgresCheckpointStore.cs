using DataWeaver.Checkpoints;
using DataWeaver.Records;
using Npgsql;
using NpgsqlTypes;

namespace DataWeaver.PostgreSql.Failover;

/// <summary>
/// Keeps checkpoints in a PostgreSQL table, one row per key (<c>key text PRIMARY KEY, partitions integer[], offsets bigint[],
/// epoch bigint, saved_at timestamptz</c>), created when missing. A save is one upsert statement, so it is atomic and
/// durable once it returns (the server's <c>synchronous_commit</c> decides how durable). Shared by every instance of a
/// pipeline that can run on several machines; with <see cref="PostgresCheckpointStoreOptions.Fence"/>, only the instance
/// that holds the lease can save (see <see cref="PostgresLease"/>).
/// </summary>
/// <remarks>Thread-safe. Its connections come from Npgsql's shared pool of the connection string, so it needs no disposing.</remarks>
public sealed class PostgresCheckpointStore : ICheckpointStore
{
    private readonly string _connectionString;
    private readonly string _table;
    private readonly string _saveSql;
    private readonly PostgresOwnTable _ownTable;

    /// <summary>Creates a store; nothing connects before the first load, save or lock.</summary>
    /// <param name="options">The options, copied.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every failure).</exception>
    public PostgresCheckpointStore(PostgresCheckpointStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        Options = options with { };
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.WithApplicationName(options.ConnectionString, "dataweaver:checkpoints"))
        {
            CommandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds),
        };
        _connectionString = builder.ConnectionString;
        _table = PostgresIdentifiers.QuoteTable(options.Table);
        _ownTable = new PostgresOwnTable(_connectionString, options.Table, $"CREATE TABLE IF NOT EXISTS {_table} (key text PRIMARY KEY, partitions integer[] NOT NULL, offsets bigint[] NOT NULL, epoch bigint, saved_at timestamptz NOT NULL)", "checkpoint");
        _saveSql = options.Fence is { } fence
            ? $"""
              WITH fence AS (SELECT 1 FROM {fence.QuotedTable} WHERE name = $4 AND holder = $5 AND epoch = $6 AND expires_at > clock_timestamp() FOR SHARE)
              INSERT INTO {_table} AS c (key, partitions, offsets, epoch, saved_at) SELECT $1, $2, $3, $6, clock_timestamp() FROM fence
              ON CONFLICT (key) DO UPDATE SET partitions = EXCLUDED.partitions, offsets = EXCLUDED.offsets, epoch = EXCLUDED.epoch, saved_at = EXCLUDED.saved_at
              WHERE c.epoch IS NULL OR c.epoch <= EXCLUDED.epoch
              """
            : $"""
              INSERT INTO {_table} AS c (key, partitions, offsets, epoch, saved_at) VALUES ($1, $2, $3, NULL, clock_timestamp())
              ON CONFLICT (key) DO UPDATE SET partitions = EXCLUDED.partitions, offsets = EXCLUDED.offsets, epoch = EXCLUDED.epoch, saved_at = EXCLUDED.saved_at
              """;
    }

    /// <summary>Gets the options.</summary>
    public PostgresCheckpointStoreOptions Options { get; }

    /// <inheritdoc />
    /// <exception cref="DataWeaver.Errors.DataWeaverException">The server failed (its class says whether a retry may help).</exception>
    public async ValueTask<IReadOnlyList<SourcePosition>?> LoadAsync(string key, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        await _ownTable.EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = new NpgsqlConnection(_connectionString);
            await using var connectionScope = connection.ConfigureAwait(false);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand($"SELECT partitions, offsets FROM {_table} WHERE key = $1", connection);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                return null;
            }

            var partitions = reader.GetFieldValue<int[]>(0);
            var offsets = reader.GetFieldValue<long[]>(1);
            if (partitions.Length != offsets.Length)
            {
                throw new CheckpointException(key, $"The checkpoint '{key}' in {Options.Table} is corrupt: {partitions.Length} partitions but {offsets.Length} offsets.");
            }

            return [.. partitions.Select((partition, i) => new SourcePosition(partition, offsets[i]))];
        }
        catch (Exception error) when (error is not OperationCanceledException and not CheckpointException)
        {
            throw PostgresErrors.Map(error, $"Loading the checkpoint '{key}' from {Options.Table}");
        }
    }

    /// <inheritdoc />
    /// <exception cref="PostgresLeaseLostException">The store is fenced and its lease is no longer held (expired, or taken over by another instance).</exception>
    /// <exception cref="DataWeaver.Errors.DataWeaverException">The server failed (its class says whether a retry may help).</exception>
    public async ValueTask SaveAsync(string key, IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(positions);
        await _ownTable.EnsureAsync(cancellationToken).ConfigureAwait(false);
        int saved;
        try
        {
            var connection = new NpgsqlConnection(_connectionString);
            await using var connectionScope = connection.ConfigureAwait(false);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var command = new NpgsqlCommand(_saveSql, connection);
            await using var commandScope = command.ConfigureAwait(false);
            command.Parameters.Add(new NpgsqlParameter { Value = key });
            command.Parameters.Add(new NpgsqlParameter { Value = positions.Select(p => p.Partition).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = positions.Select(p => p.Offset).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint });
            if (Options.Fence is { } fence)
            {
                command.Parameters.Add(new NpgsqlParameter { Value = fence.Name });
                command.Parameters.Add(new NpgsqlParameter { Value = fence.InstanceId });
                command.Parameters.Add(new NpgsqlParameter { Value = fence.Epoch });
            }

            saved = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw PostgresErrors.Map(error, $"Saving the checkpoint '{key}' to {Options.Table}");
        }

        if (saved == 0 && Options.Fence is { } lost)
        {
            lost.ReportFenced();
            throw new PostgresLeaseLostException(lost.Name, lost.Epoch, $"The checkpoint '{key}' was not saved: this instance ({lost.InstanceId}) no longer holds epoch {lost.Epoch} of the lease '{lost.Name}' (it expired or another instance took it over), so it may not move the checkpoint.");
        }
    }

    /// <summary>
    /// Takes an exclusive hold on <paramref name="key"/> for one run: with <see cref="PostgresCheckpointStoreOptions.Fence"/>,
    /// none (the lease is the hold, and a deposed holder cannot save); otherwise a session advisory lock
    /// (<c>pg_try_advisory_lock</c>) on a connection kept open until the hold is disposed; the server releases it when that
    /// connection ends, so a killed run never leaves it behind.
    /// </summary>
    /// <param name="key">Names the source.</param>
    /// <returns>The hold; <see langword="null"/> when fenced.</returns>
    /// <exception cref="CheckpointException">Another run holds the key (the exception's <c>Path</c> is the key).</exception>
    /// <exception cref="DataWeaver.Errors.DataWeaverException">The server failed.</exception>
    public IDisposable? Lock(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (Options.Fence is not null)
        {
            return null;
        }

        NpgsqlConnection? connection = null;
        try
        {
            connection = new NpgsqlConnection(_connectionString);
            connection.Open();
            using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", connection);
            command.Parameters.Add(new NpgsqlParameter { Value = LockName(key) });
            if (command.ExecuteScalar() is not true)
            {
                throw new CheckpointException(key, $"The checkpoint '{key}' in {Options.Table} is in use by another run (it holds the session advisory lock of the key). Two runs on one checkpoint would overwrite each other's positions; stop the other run, or run both under a PostgresLease.");
            }

            var hold = new AdvisoryHold(connection, LockName(key));
            connection = null;
            return hold;
        }
        catch (Exception error) when (error is not CheckpointException)
        {
            throw PostgresErrors.Map(error, $"Locking the checkpoint '{key}' in {Options.Table}");
        }
        finally
        {
            connection?.Dispose();
        }
    }

    /// <inheritdoc />
    public override string ToString() => Options.ToString();

    private string LockName(string key) => "dataweaver-checkpoint:" + Options.Table + ":" + key;

    private sealed class AdvisoryHold(NpgsqlConnection connection, string name) : IDisposable
    {
        private NpgsqlConnection? _connection = connection;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _connection, null) is not { } held)
            {
                return;
            }

            try
            {
                using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended($1, 0))", held);
                command.Parameters.Add(new NpgsqlParameter { Value = name });
                command.ExecuteNonQuery();
            }
            catch (Exception error) when (error is NpgsqlException or InvalidOperationException or IOException)
            {
                // The connection is gone: the server released the lock with it.
            }
            finally
            {
                held.Dispose();
            }
        }
    }
}
