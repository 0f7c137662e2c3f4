using System.Globalization;
using DataWeaver.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace DataWeaver.PostgreSql.Failover;

/// <summary>
/// An active/standby lease kept in a PostgreSQL row, for pipelines that must run on one instance at a time (a replication
/// slot, a polling source, files on shared storage): the instance that acquires the row is active until it releases it or
/// fails to renew it before it expires; the others are standbys that take it over once it has expired. Each acquisition
/// adds one to the row's <b>epoch</b>, and writes made under the lease are fenced by it (a
/// <see cref="PostgresCheckpointStore"/> with a <see cref="PostgresCheckpointStoreOptions.Fence"/>,
/// tables guarded by <see cref="InstallFenceAsync"/>), so an instance that lost the lease (paused, partitioned away) can
/// never commit after another took over. Expiry is judged by the server's clock; the holder stops by its own clock before.
/// </summary>
/// <remarks>
/// Thread-safe. One lease object holds at most one grant at a time. <see cref="PostgresActiveStandby"/> runs a pipeline
/// under a lease. Dispose it to release the lease and close its connections.
/// </remarks>
public sealed class PostgresLease : IAsyncDisposable
{
    private readonly NpgsqlDataSource _dataSource;
    private readonly string _connectionString;
    private readonly Lock _lock = new();
    private PostgresLeaseGrant? _grant;
    private PostgresLeaseState _state;
    private readonly PostgresOwnTable _ownTable;
    private string? _lastStandbyLog;

    /// <summary>Creates a lease client; nothing connects before the first acquire.</summary>
    /// <param name="options">The options, copied.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every failure).</exception>
    public PostgresLease(PostgresLeaseOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        Options = options with { };
        Logger = options.Logger ?? NullLogger.Instance;
        QuotedTable = PostgresIdentifiers.QuoteTable(options.Table);
        var builder = new NpgsqlConnectionStringBuilder(PostgresConnectionString.WithApplicationName(options.ConnectionString, "dataweaver:lease:" + options.Name));
        builder.Options = Join(builder.Options, string.Create(CultureInfo.InvariantCulture, $"-c lock_timeout={(long)options.Duration.TotalMilliseconds}"));
        _connectionString = builder.ConnectionString;
        _ownTable = new PostgresOwnTable(_connectionString, options.Table, $"CREATE TABLE IF NOT EXISTS {QuotedTable} (name text PRIMARY KEY, holder text NOT NULL, epoch bigint NOT NULL, expires_at timestamptz NOT NULL, acquired_at timestamptz NOT NULL, renewed_at timestamptz NOT NULL)", "lease");
        _dataSource = NpgsqlDataSource.Create(_connectionString);
        PostgresLeaseMetrics.Add(this);
    }

    /// <summary>Gets the options.</summary>
    public PostgresLeaseOptions Options { get; }

    /// <summary>Gets where the lease is for this instance.</summary>
    public PostgresLeaseState State
    {
        get
        {
            lock (_lock)
            {
                return _grant is { IsHeld: true } ? PostgresLeaseState.Active : _state;
            }
        }
    }

    /// <summary>Gets the epoch this instance holds; 0 when it holds none.</summary>
    public long Epoch => Current?.Epoch ?? 0;

    /// <summary>Gets the grant this instance holds; <see langword="null"/> when it holds none.</summary>
    public PostgresLeaseGrant? Current
    {
        get
        {
            lock (_lock)
            {
                return _grant is { IsHeld: true } grant ? grant : null;
            }
        }
    }

    internal string QuotedTable { get; }

    internal ILogger Logger { get; }

    /// <summary>
    /// Acquires the lease, waiting as a standby while another instance holds it (asking every
    /// <see cref="PostgresLeaseOptions.RetryInterval"/>; a server that cannot be reached is asked again too).
    /// </summary>
    /// <param name="cancellationToken">Stops waiting.</param>
    /// <returns>The grant: renewed in the background until it is released or lost.</returns>
    /// <exception cref="OperationCanceledException">The wait was cancelled.</exception>
    /// <exception cref="InvalidOperationException">This object already holds the lease.</exception>
    /// <exception cref="DataWeaverException">A fatal error (a wrong password, a permission refused).</exception>
    public async Task<PostgresLeaseGrant> AcquireAsync(CancellationToken cancellationToken = default)
    {
        while (true)
        {
            try
            {
                if (await TryAcquireAsync(cancellationToken).ConfigureAwait(false) is { } grant)
                {
                    return grant;
                }
            }
            catch (DataWeaverException error) when (error.ErrorClass == ErrorClass.Transient)
            {
                SetState(PostgresLeaseState.Standby);
                PostgresLeaseLog.AcquireFailed(Logger, Options.Name, Options.InstanceId, error.Message);
            }

            await Task.Delay(Options.RetryInterval, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Acquires the lease if it is free (never held, released or expired), once, without waiting.</summary>
    /// <param name="cancellationToken">Aborts the attempt.</param>
    /// <returns>The grant; <see langword="null"/> when another instance holds the lease (<see cref="State"/> is then <see cref="PostgresLeaseState.Standby"/>).</returns>
    /// <exception cref="InvalidOperationException">This object already holds the lease.</exception>
    /// <exception cref="DataWeaverException">The server failed (its class says whether a retry may help).</exception>
    public async Task<PostgresLeaseGrant?> TryAcquireAsync(CancellationToken cancellationToken = default)
    {
        if (Current is not null)
        {
            throw new InvalidOperationException($"Lease '{Options.Name}' is already held by this instance ({Options.InstanceId}); release it first.");
        }

        await _ownTable.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var sent = Options.TimeProvider.GetTimestamp();
        long? epoch;
        PostgresLeaseInfo? holder = null;
        try
        {
            (epoch, holder) = await AcquireOnceAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error) when (error.SqlState == "55P03")
        {
            epoch = null; // lock_timeout: an instance's fenced write held the row; ask again
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw PostgresErrors.Map(error, $"Acquiring the lease '{Options.Name}' in {Options.Table}");
        }

        if (epoch is not { } held)
        {
            SetState(PostgresLeaseState.Standby);
            if (holder is not null)
            {
                var key = holder.Holder + "#" + holder.Epoch.ToString(CultureInfo.InvariantCulture);
                if (key != _lastStandbyLog)
                {
                    _lastStandbyLog = key;
                    PostgresLeaseLog.Standby(Logger, Options.Name, Options.InstanceId, holder.Holder, holder.Epoch, holder.ExpiresAt);
                }
            }

            return null;
        }

        var grant = new PostgresLeaseGrant(this, held, sent);
        lock (_lock)
        {
            _grant = grant;
            _state = PostgresLeaseState.Idle;
            _lastStandbyLog = null;
        }

        PostgresLeaseMetrics.OnAcquired(this);
        PostgresLeaseLog.Acquired(Logger, Options.Name, Options.InstanceId, held);
        grant.StartRenewing();
        return grant;
    }

    /// <summary>Reads the lease row as the server has it.</summary>
    /// <param name="cancellationToken">Aborts the read.</param>
    /// <returns>The row; <see langword="null"/> when the lease was never acquired.</returns>
    /// <exception cref="DataWeaverException">The server failed.</exception>
    public async Task<PostgresLeaseInfo?> ReadAsync(CancellationToken cancellationToken = default)
    {
        await _ownTable.EnsureAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            return await ReadRowAsync(connection, null, forUpdate: false, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw PostgresErrors.Map(error, $"Reading the lease '{Options.Name}' in {Options.Table}");
        }
    }

    /// <summary>
    /// Guards a table with this lease: a statement-level trigger (<c>dataweaver_lease_fence</c>, before every insert, update,
    /// delete and truncate, COPY included) refuses the statement with SQLSTATE <c>DWL01</c> unless the session holds the
    /// current epoch of the lease and the lease has not expired: the session must connect with a connection string from
    /// <see cref="PostgresLeaseGrant.FenceConnectionString"/>. The check locks the lease row <c>FOR KEY SHARE</c> until the
    /// writing transaction ends, so a take-over waits for writes in progress and writes after it are refused: whatever an
    /// instance writes to the table after it lost the lease is rolled back. Idempotent; the user needs to own the table.
    /// </summary>
    /// <param name="table">The table (<c>orders</c> or <c>schema.orders</c>).</param>
    /// <param name="cancellationToken">Aborts the installation.</param>
    /// <returns>A task that completes once installed.</returns>
    /// <exception cref="DataWeaverException">The server failed (a missing table, a permission refused).</exception>
    public async Task InstallFenceAsync(string table, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(table);
        await _ownTable.EnsureAsync(cancellationToken).ConfigureAwait(false);
        var function = FenceFunction();
        var name = Options.Name.Replace("'", "''", StringComparison.Ordinal);
        var sql = $"""
            CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $dataweaver$
            BEGIN
              PERFORM 1 FROM {QuotedTable}
                WHERE name = TG_ARGV[0]
                  AND holder = current_setting('dataweaver.lease_holder', true)
                  AND epoch::text = current_setting('dataweaver.lease_epoch', true)
                  AND expires_at > clock_timestamp()
                FOR KEY SHARE;
              IF NOT FOUND THEN
                RAISE EXCEPTION USING ERRCODE = '{PostgresLeaseLostException.FenceSqlState}',
                  MESSAGE = format('%s on %s refused: the session does not hold the current epoch of the lease %L (this instance lost it, or connected without PostgresLeaseGrant.FenceConnectionString).', TG_OP, TG_TABLE_NAME, TG_ARGV[0]);
              END IF;
              RETURN NULL;
            END
            $dataweaver$;
            CREATE OR REPLACE TRIGGER dataweaver_lease_fence BEFORE INSERT OR UPDATE OR DELETE OR TRUNCATE ON {PostgresIdentifiers.QuoteTable(table)}
              FOR EACH STATEMENT EXECUTE FUNCTION {function}('{name}');
            """;
        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var command = new NpgsqlCommand(sql, connection);
            await using var commandScope = command.ConfigureAwait(false);
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw PostgresErrors.Map(error, $"Installing the lease fence of '{Options.Name}' on {table}");
        }
    }

    /// <summary>Releases the lease if held (so a standby takes over at once), and closes the connections.</summary>
    /// <returns>A task that completes once done.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Current is { } grant)
        {
            try
            {
                await grant.ReleaseAsync().ConfigureAwait(false);
            }
            catch (DataWeaverException)
            {
                // Not released: it expires by itself.
            }
        }

        PostgresLeaseMetrics.Remove(this);
        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override string ToString() => $"lease '{Options.Name}' ({Options.InstanceId}: {State})";

    internal static string Join(string? options, string more) => string.IsNullOrWhiteSpace(options) ? more : options + " " + more;

    /// <summary>Renews the grant's epoch; false when the row no longer names it or it expired.</summary>
    internal async Task<bool> RenewAsync(long epoch, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"UPDATE {QuotedTable} SET expires_at = clock_timestamp() + $3, renewed_at = clock_timestamp() WHERE name = $1 AND holder = $2 AND epoch = $4 AND expires_at > clock_timestamp()");
        await using var commandScope = command.ConfigureAwait(false);
        AddParameters(command, epoch);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 1;
    }

    /// <summary>Lets the lease expire now, if the grant still holds it.</summary>
    internal async Task ReleaseAsync(long epoch, CancellationToken cancellationToken)
    {
        var command = _dataSource.CreateCommand($"UPDATE {QuotedTable} SET expires_at = clock_timestamp() WHERE name = $1 AND holder = $2 AND epoch = $3 AND expires_at > clock_timestamp()");
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = Options.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = Options.InstanceId });
        command.Parameters.Add(new NpgsqlParameter { Value = epoch });
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    internal void OnEnded(PostgresLeaseGrant grant, string? lossReason)
    {
        lock (_lock)
        {
            if (ReferenceEquals(_grant, grant))
            {
                _grant = null;
                _state = PostgresLeaseState.Idle;
            }
        }

        if (lossReason is null)
        {
            PostgresLeaseLog.Released(Logger, Options.Name, Options.InstanceId, grant.Epoch);
        }
        else
        {
            PostgresLeaseMetrics.OnLost(this);
            PostgresLeaseLog.Lost(Logger, Options.Name, Options.InstanceId, grant.Epoch, lossReason);
        }
    }

    private static async Task<PostgresLeaseInfo?> ReadRowAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string table, string name, bool forUpdate, CancellationToken cancellationToken)
    {
        var command = new NpgsqlCommand($"SELECT holder, epoch, expires_at, acquired_at, renewed_at, expires_at <= clock_timestamp() FROM {table} WHERE name = $1{(forUpdate ? " FOR UPDATE" : "")}", connection, transaction);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        await using var readerScope = reader.ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        return new PostgresLeaseInfo(
            name,
            reader.GetString(0),
            reader.GetInt64(1),
            reader.GetFieldValue<DateTimeOffset>(2),
            reader.GetFieldValue<DateTimeOffset>(3),
            reader.GetFieldValue<DateTimeOffset>(4),
            reader.GetBoolean(5));
    }

    private Task<PostgresLeaseInfo?> ReadRowAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, bool forUpdate, CancellationToken cancellationToken) =>
        ReadRowAsync(connection, transaction, QuotedTable, Options.Name, forUpdate, cancellationToken);

    /// <summary>One attempt, in one transaction: the row locked FOR UPDATE (waiting for fenced writes in progress), taken if missing or expired.</summary>
    private async Task<(long? Epoch, PostgresLeaseInfo? Holder)> AcquireOnceAsync(CancellationToken cancellationToken)
    {
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var transactionScope = transaction.ConfigureAwait(false);
        var row = await ReadRowAsync(connection, transaction, forUpdate: true, cancellationToken).ConfigureAwait(false);
        if (row is { IsExpired: false })
        {
            return (null, row);
        }

        var sql = row is null
            ? $"INSERT INTO {QuotedTable} (name, holder, epoch, expires_at, acquired_at, renewed_at) VALUES ($1, $2, 1, clock_timestamp() + $3, clock_timestamp(), clock_timestamp()) ON CONFLICT (name) DO NOTHING RETURNING epoch"
            : $"UPDATE {QuotedTable} SET holder = $2, epoch = epoch + 1, expires_at = clock_timestamp() + $3, acquired_at = clock_timestamp(), renewed_at = clock_timestamp() WHERE name = $1 RETURNING epoch";
        var command = new NpgsqlCommand(sql, connection, transaction);
        await using var commandScope = command.ConfigureAwait(false);
        command.Parameters.Add(new NpgsqlParameter { Value = Options.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = Options.InstanceId });
        command.Parameters.Add(new NpgsqlParameter { Value = Options.Duration });
        var epoch = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return (epoch is long acquired ? acquired : null, row);
    }

    private void AddParameters(NpgsqlCommand command, long epoch)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = Options.Name });
        command.Parameters.Add(new NpgsqlParameter { Value = Options.InstanceId });
        command.Parameters.Add(new NpgsqlParameter { Value = Options.Duration });
        command.Parameters.Add(new NpgsqlParameter { Value = epoch });
    }

    private string FenceFunction()
    {
        var dot = Options.Table.IndexOf('.', StringComparison.Ordinal);
        var bare = dot < 0 ? Options.Table : Options.Table[(dot + 1)..];
        var function = PostgresIdentifiers.Quote(bare + "_fence");
        return dot < 0 ? function : PostgresIdentifiers.Quote(Options.Table[..dot]) + "." + function;
    }

    private void SetState(PostgresLeaseState state)
    {
        lock (_lock)
        {
            _state = state;
        }
    }
}
