using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;
using Npgsql;

namespace DataWeaver.PostgreSql.Sink;

/// <summary>
/// Writes <see cref="JsonRecord"/>s to a PostgreSQL table, each batch in one transaction: appended with binary
/// <c>COPY</c> when the options name no key columns, upserted by key (<c>INSERT ... ON CONFLICT DO UPDATE</c>, tombstones
/// deleted) when they do. A batch is acknowledged once its transaction committed.
/// </summary>
/// <remarks>
/// <para><b>Errors.</b> Transient failures (<see cref="PostgresErrors"/>) retry the whole batch on a fresh connection up to
/// <see cref="PostgresSinkOptions.MaxAttempts"/> times. When the server refuses some records (a constraint violated, a
/// value out of range) or a field does not convert to its column's type, the sink finds them inside its transaction
/// (savepoints; from the failing statement or COPY line the server names, else by bisecting the batch), commits the rest,
/// and fails the batch with a data error; the pipeline's error
/// policy then writes the batch record by record, where the sink answers from what it found: the committed records
/// succeed without being written again, the refused ones fail with the server's message and go to the dead-letter port.
/// Without an error policy the run fails, and a restart writes the batch again: once for keyed tables, at least once for
/// append-only ones.</para>
/// <para>Not thread-safe: run the sink stage with a degree of parallelism of 1.</para>
/// </remarks>
public sealed partial class PostgresSink : SinkConnector<JsonRecord>
{
    private readonly string _display;
    private readonly Dictionary<JsonRecord, DataWeaverException?> _isolated = [];
    private NpgsqlDataSource? _dataSource;
    private PostgresColumn[] _columns = [];
    private string _copySql = "";
    private string _upsertSql = "";
    private string _deleteSql = "";
    private int[] _keyIndexes = [];
    private int? _failedRow;

    /// <summary>Creates a sink; nothing connects before <see cref="OpenAsync"/>.</summary>
    /// <param name="options">The options, copied.</param>
    /// <param name="name">The sink's name; the default is <c>postgres:TABLE</c>.</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every failure).</exception>
    public PostgresSink(PostgresSinkOptions options, string? name = null)
        : base(name ?? "postgres:" + options?.Table)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        Options = options with { };
        _display = PostgresIdentifiers.QuoteTable(options.Table);
    }

    /// <summary>Gets the options.</summary>
    public PostgresSinkOptions Options { get; }

    /// <summary>Gets the columns written, in order (known once the sink is open).</summary>
    public IReadOnlyList<string> Columns => [.. _columns.Select(c => c.Name)];

    /// <summary>Gets how many batches were retried after a transient error since the sink was created.</summary>
    public long Retries { get; private set; }

    /// <summary>Gets how many records the server refused (or that did not convert) since the sink was created.</summary>
    public long Refused { get; private set; }

    private bool Keyed => Options.KeyColumns.Count > 0;

    /// <summary>Connects, reads the table's columns and their types, and prepares the statements.</summary>
    /// <param name="cancellationToken">Aborts the connection attempt.</param>
    /// <returns>A task that completes once ready.</returns>
    /// <exception cref="DataWeaverException">The table or a column is missing, a type cannot be written, or the server cannot be reached.</exception>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _dataSource ??= NpgsqlDataSource.Create(PostgresConnectionString.WithApplicationName(Options.ConnectionString, "dataweaver:" + Name));
        _isolated.Clear();
        var attempt = 0;
        while (true)
        {
            try
            {
                var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var connectionScope = connection.ConfigureAwait(false);
                _columns = await ReadColumnsAsync(connection, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception error) when (error is not OperationCanceledException && error is not DataWeaverException && PostgresErrors.Classify(error) == ErrorClass.Transient && ++attempt < Options.MaxAttempts)
            {
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                throw PostgresErrors.Map(error, $"Opening the PostgreSQL sink of {_display} on {PostgresConnectionString.Describe(Options.ConnectionString)}");
            }
        }

        var names = string.Join(", ", _columns.Select(c => PostgresIdentifiers.Quote(c.Name)));
        _copySql = $"COPY {_display} ({names}) FROM STDIN (FORMAT BINARY)";
        var values = string.Join(", ", _columns.Select((_, i) => "$" + (i + 1)));
        var keys = string.Join(", ", Options.KeyColumns.Select(PostgresIdentifiers.Quote));
        var updates = _columns.Where(c => !Options.KeyColumns.Contains(c.Name, StringComparer.Ordinal)).Select(c => $"{PostgresIdentifiers.Quote(c.Name)} = EXCLUDED.{PostgresIdentifiers.Quote(c.Name)}").ToList();
        _upsertSql = $"INSERT INTO {_display} ({names}) VALUES ({values}) ON CONFLICT ({keys}) " + (updates.Count == 0 ? "DO NOTHING" : "DO UPDATE SET " + string.Join(", ", updates));
        _keyIndexes = [.. Options.KeyColumns.Select(key => Array.FindIndex(_columns, c => c.Name == key))];
        _deleteSql = $"DELETE FROM {_display} WHERE " + string.Join(" AND ", Options.KeyColumns.Select((key, i) => $"{PostgresIdentifiers.Quote(key)} = ${i + 1}"));
    }

    /// <summary>Disconnects.</summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>A task that completes once closed.</returns>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        _isolated.Clear();
        if (_dataSource is { } dataSource)
        {
            _dataSource = null;
            await dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Writes the batch in one transaction (see <see cref="PostgresSink"/> for errors).</summary>
    /// <param name="batch">The records.</param>
    /// <param name="cancellationToken">Aborts the write; the transaction is rolled back.</param>
    /// <returns>A task that completes once the transaction committed.</returns>
    public override async ValueTask WriteAsync(ReadOnlyMemory<JsonRecord> batch, CancellationToken cancellationToken = default)
    {
        if (_dataSource is null)
        {
            PostgresErrors.ThrowFatal($"The PostgreSQL sink of {_display} is not open.");
        }

        if (TryAnswerFromIsolation(batch.Span))
        {
            return;
        }

        var rows = Convert(batch.Span, out var unconvertible);
        Dictionary<int, DataWeaverException> refused;
        var attempt = 0;
        while (true)
        {
            refused = new Dictionary<int, DataWeaverException>(unconvertible); // a failed attempt's verdicts are void
            try
            {
                await WriteRowsAsync(rows, refused, cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (Exception error) when (error is not OperationCanceledException && PostgresErrors.Classify(error) == ErrorClass.Transient)
            {
                if (++attempt >= Options.MaxAttempts)
                {
                    throw PostgresErrors.Map(error, $"Writing {batch.Length} records to {_display} ({attempt} attempts)");
                }

                Retries++;
                _dataSource.Clear(); // the pooled connections may be dead too (a server restart)
                await DelayAsync(attempt, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException && error is not DataWeaverException)
            {
                throw PostgresErrors.Map(error, $"Writing {batch.Length} records to {_display}");
            }
        }

        if (refused.Count > 0)
        {
            Refused += refused.Count;
            var span = batch.Span;
            for (var i = 0; i < span.Length; i++)
            {
                _isolated[span[i]] = refused.GetValueOrDefault(i);
            }

            var first = refused.OrderBy(r => r.Key).First();
            throw new DataWeaverException(
                ErrorClass.Data,
                $"{refused.Count} of {batch.Length} records were refused by {_display} and the rest committed; the first, record {first.Key} of the batch: {first.Value.Message}");
        }
    }

    /// <summary>
    /// The pipeline's error policy writes a batch that failed with refused records one record at a time: answer from what
    /// the sink found (committed: done; refused: the server's error), without writing anything again.
    /// </summary>
    private bool TryAnswerFromIsolation(ReadOnlySpan<JsonRecord> batch)
    {
        if (_isolated.Count == 0)
        {
            return false;
        }

        if (batch.Length != 1 || !_isolated.Remove(batch[0], out var error))
        {
            _isolated.Clear(); // the policy moved on (the run failed, or no policy wrote one by one)
            return false;
        }

        if (error is not null)
        {
            throw error;
        }

        return true;
    }

    private async ValueTask<PostgresColumn[]> ReadColumnsAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        const string Sql = """
            SELECT a.attname, t.typname, et.typname,
                   a.attidentity <> '' OR a.attgenerated <> '' OR coalesce(pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%', false)
            FROM pg_attribute a
            JOIN pg_type t ON t.oid = a.atttypid
            LEFT JOIN pg_type et ON et.oid = t.typelem AND t.typcategory = 'A'
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE a.attrelid = $1::regclass AND a.attnum > 0 AND NOT a.attisdropped
            ORDER BY a.attnum
            """;
        var table = new List<(string Name, string Type, string? Element, bool ServerFilled)>();
        try
        {
            var command = new NpgsqlCommand(Sql, connection) { Parameters = { new() { Value = _display } } };
            await using var commandScope = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                table.Add((reader.GetString(0), reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetString(2), reader.GetBoolean(3)));
            }
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            PostgresErrors.ThrowFatal($"The table {_display} does not exist on {PostgresConnectionString.Describe(Options.ConnectionString)}: create it before the pipeline runs.");
        }

        var wanted = Options.Columns ?? [.. table.Where(c => !c.ServerFilled).Select(c => c.Name)];
        var failures = new List<string>();
        var columns = new List<PostgresColumn>();
        foreach (var name in wanted.Concat(Options.KeyColumns.Where(k => !wanted.Contains(k, StringComparer.Ordinal))))
        {
            var found = table.FindIndex(c => c.Name == name);
            if (found < 0)
            {
                failures.Add($"the table has no column '{name}'");
                continue;
            }

            var (_, type, element, _) = table[found];
            if (PostgresColumn.Create(name, type, element) is { } column)
            {
                columns.Add(column);
            }
            else
            {
                failures.Add($"the column '{name}' is of type {element ?? type}{(element is null ? "" : "[]")}, which the sink cannot write (it writes {PostgresColumn.SupportedTypes}); leave it out of Columns");
            }
        }

        if (failures.Count > 0)
        {
            PostgresErrors.ThrowFatal($"The PostgreSQL sink cannot write {_display}: {string.Join("; ", failures)}.");
        }

        return [.. columns];
    }

    private async Task DelayAsync(int attempt, CancellationToken cancellationToken)
    {
        var delay = TimeSpan.FromTicks(Math.Min(Options.MaxRetryDelay.Ticks, Options.RetryDelay.Ticks * (1L << Math.Min(attempt - 1, 20))));
        if (delay > TimeSpan.Zero)
        {
            await Task.Delay(delay, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
