using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Records;
using DataWeaver.Serialization.Json;
using Npgsql;

namespace DataWeaver.PostgreSql.Source;

/// <summary>
/// Reads a PostgreSQL table or query as <see cref="JsonRecord"/>s (one field per column, see the docs for the types): in
/// keyset pages ordered by <see cref="PostgresSourceOptions.IncrementingColumn"/> and <see cref="PostgresSourceOptions.KeyColumn"/>,
/// resuming after the last row whose record every sink acknowledged (the position is saved in
/// <see cref="PostgresSourceOptions.CheckpointStore"/> on each commit), and with <see cref="PostgresSourceOptions.Follow"/>
/// polling for new rows for ever.
/// </summary>
public sealed class PostgresSource : SourceConnector<JsonRecord>, ICheckpointedSource
{
    private readonly Lock _lock = new();
    private readonly Queue<(long Ordinal, long[] Position)> _inFlight = new();
    private readonly string[] _order;
    private readonly string _from;
    private NpgsqlDataSource? _dataSource;
    private PositionType[] _types = [];
    private long[]? _start;
    private long[]? _acknowledged;
    private long[]? _saved;
    private long _ordinal;

    /// <summary>Creates a source; nothing connects before <see cref="OpenAsync"/>.</summary>
    /// <param name="options">The options, copied.</param>
    /// <param name="name">The source's name; the default is <c>postgres:TABLE</c> (or <c>postgres:query</c>).</param>
    /// <exception cref="ArgumentException">The options are invalid (the message lists every failure).</exception>
    public PostgresSource(PostgresSourceOptions options, string? name = null)
        : base(name ?? "postgres:" + (options?.Table ?? "query"))
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = options.Validate();
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        Options = options with { };
        _order = [.. new[] { options.IncrementingColumn, options.KeyColumn }.OfType<string>()];
        _from = options.Table is { } table ? PostgresIdentifiers.QuoteTable(table) : $"({options.Query}) AS dataweaver_query";
        CheckpointKey = options.CheckpointKey ?? $"postgres:{PostgresConnectionString.Describe(options.ConnectionString)}/{options.Table ?? "query-" + Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(options.Query!)))[..16]}";
    }

    private enum PositionType
    {
        Integer,
        Timestamp,
        TimestampTz,
        Date,
    }

    /// <summary>Gets the options.</summary>
    public PostgresSourceOptions Options { get; }

    /// <summary>Gets the key of the position in <see cref="PostgresSourceOptions.CheckpointStore"/>.</summary>
    public string CheckpointKey { get; }

    /// <inheritdoc />
    ICheckpointStore? ICheckpointedSource.CheckpointStore => Options.CheckpointStore;

    /// <summary>Connects, checks the order columns and loads the checkpointed position.</summary>
    /// <param name="cancellationToken">Aborts the connection attempt.</param>
    /// <returns>A task that completes once ready.</returns>
    /// <exception cref="DataWeaverException">The table, query or an order column is wrong, or the server cannot be reached.</exception>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _dataSource ??= NpgsqlDataSource.Create(PostgresConnectionString.WithApplicationName(Options.ConnectionString, "dataweaver:" + Name));
        lock (_lock)
        {
            _inFlight.Clear();
            _ordinal = 0;
            _acknowledged = null;
        }

        try
        {
            var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
            await using var connectionScope = connection.ConfigureAwait(false);
            var command = new NpgsqlCommand($"SELECT * FROM {_from} LIMIT 0", connection);
            await using var commandScope = command.ConfigureAwait(false);
            var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
            await using var readerScope = reader.ConfigureAwait(false);
            _types = [.. _order.Select(column => TypeOf(reader, column))];
        }
        catch (Exception error) when (error is not OperationCanceledException)
        {
            throw PostgresErrors.Map(error, $"Opening the PostgreSQL source {Name} on {PostgresConnectionString.Describe(Options.ConnectionString)}");
        }

        _start = null;
        if (Options.CheckpointStore is { } store && await store.LoadAsync(CheckpointKey, cancellationToken).ConfigureAwait(false) is { Count: > 0 } saved)
        {
            if (saved.Count != _order.Length)
            {
                throw new CheckpointException(CheckpointKey, $"The checkpoint '{CheckpointKey}' holds {saved.Count} order values, but the source orders by {_order.Length} columns ({string.Join(", ", _order)}): the options changed since. Delete the checkpoint to read from the first row.");
            }

            _start = [.. saved.OrderBy(p => p.Partition).Select(p => p.Offset)];
        }

        _saved = _start;
    }

    /// <summary>Disconnects.</summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>A task that completes once closed.</returns>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_dataSource is { } dataSource)
        {
            _dataSource = null;
            await dataSource.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Reads the rows after the checkpointed position, page by page; with <see cref="PostgresSourceOptions.Follow"/> for ever.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>The records, in order of the order columns.</returns>
    public override async IAsyncEnumerable<JsonRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (_dataSource is null)
        {
            PostgresErrors.ThrowFatal($"The PostgreSQL source {Name} is not open.");
        }

        using var decoder = new PostgresRowDecoder();
        var position = _start;
        var page = new List<(JsonRecord Record, long[] Position)>(Math.Min(Options.PageSize, 10_000));
        while (true)
        {
            page.Clear();
            await ReadPageAsync(decoder, position, page, cancellationToken).ConfigureAwait(false);
            foreach (var (record, at) in page)
            {
                if (_order.Length > 0)
                {
                    lock (_lock)
                    {
                        _inFlight.Enqueue((_ordinal++, at));
                    }
                }

                position = at;
                yield return record;
            }

            if (_order.Length == 0 || page.Count >= Options.PageSize)
            {
                if (_order.Length == 0)
                {
                    yield break; // one pass, no pages
                }

                continue;
            }

            if (!Options.Follow)
            {
                yield break;
            }

            await Task.Delay(Options.PollInterval, Options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Moves the acknowledged position on: every record up to <paramref name="position"/> is written.</summary>
    /// <param name="position">The resume position (the ordinal of the next record of this run).</param>
    protected override void OnAcknowledged(SourcePosition position)
    {
        lock (_lock)
        {
            while (_inFlight.TryPeek(out var next) && next.Ordinal < position.Offset)
            {
                _acknowledged = _inFlight.Dequeue().Position;
            }
        }
    }

    /// <summary>Saves the position of the last acknowledged row in the checkpoint store.</summary>
    /// <param name="positions">The resume positions of this run.</param>
    /// <param name="cancellationToken">Aborts the save.</param>
    /// <returns>A task that completes once saved.</returns>
    public override async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var position in positions)
        {
            OnAcknowledged(position);
        }

        long[]? acknowledged;
        lock (_lock)
        {
            acknowledged = _acknowledged;
        }

        if (Options.CheckpointStore is not { } store || acknowledged is null || ReferenceEquals(acknowledged, _saved))
        {
            return;
        }

        await store.SaveAsync(CheckpointKey, [.. acknowledged.Select((value, i) => new SourcePosition(i, value))], cancellationToken).ConfigureAwait(false);
        _saved = acknowledged;
    }

    private async Task ReadPageAsync(PostgresRowDecoder decoder, long[]? position, List<(JsonRecord, long[])> page, CancellationToken cancellationToken)
    {
        var sql = PageSql(position is not null);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var connection = await _dataSource!.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
                await using var connectionScope = connection.ConfigureAwait(false);
                var command = new NpgsqlCommand(sql, connection);
                await using var commandScope = command.ConfigureAwait(false);
                for (var i = 0; position is not null && i < position.Length; i++)
                {
                    command.Parameters.Add(new NpgsqlParameter { Value = ToParameter(position[i], _types[i]) });
                }

                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using var readerScope = reader.ConfigureAwait(false);
                decoder.Describe(reader);
                var ordinals = _order.Select(reader.GetOrdinal).ToArray();
                while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    var at = new long[ordinals.Length];
                    for (var i = 0; i < at.Length; i++)
                    {
                        if (reader.IsDBNull(ordinals[i]))
                        {
                            PostgresErrors.ThrowFatal($"The order column '{_order[i]}' of {Name} is NULL in a row: keyset paging needs NOT NULL order columns (filter NULLs out in a query).");
                        }

                        at[i] = FromValue(reader.GetValue(ordinals[i]), _types[i]);
                    }

                    page.Add((decoder.Decode(reader), at));
                }

                return;
            }
            catch (Exception error) when (error is not OperationCanceledException && error is not DataWeaverException && PostgresErrors.Classify(error) == ErrorClass.Transient && attempt < Options.MaxAttempts)
            {
                page.Clear();
                _dataSource!.Clear();
                await Task.Delay(TimeSpan.FromMilliseconds(100 << Math.Min(attempt, 6)), Options.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                throw PostgresErrors.Map(error, $"Reading {Name}");
            }
        }
    }

    private string PageSql(bool after)
    {
        if (_order.Length == 0)
        {
            return $"SELECT * FROM {_from}";
        }

        var columns = string.Join(", ", _order.Select(PostgresIdentifiers.Quote));
        var parameters = string.Join(", ", _order.Select((_, i) => "$" + (i + 1)));
        var where = after ? $" WHERE ({columns}) > ({parameters})" : "";
        if (after && _order.Length == 1)
        {
            where = $" WHERE {columns} > $1";
        }

        return $"SELECT * FROM {_from}{where} ORDER BY {columns} LIMIT {Options.PageSize}";
    }

    private PositionType TypeOf(NpgsqlDataReader reader, string column)
    {
        int ordinal;
        try
        {
            ordinal = reader.GetOrdinal(column);
        }
        catch (IndexOutOfRangeException)
        {
            PostgresErrors.ThrowFatal($"The order column '{column}' of {Name} is not a column of {(Options.Table ?? "the query")}.");
            return default;
        }

        var type = reader.GetDataTypeName(ordinal);
        return type switch
        {
            "smallint" or "integer" or "bigint" => PositionType.Integer,
            "timestamp without time zone" => PositionType.Timestamp,
            "timestamp with time zone" => PositionType.TimestampTz,
            "date" => PositionType.Date,
            _ => throw new DataWeaverException(ErrorClass.Fatal, $"The order column '{column}' of {Name} is of type {type}: order columns must be integers, timestamp, timestamptz or date, whose values a checkpoint keeps exactly."),
        };
    }

    private static long FromValue(object value, PositionType type) => type switch
    {
        PositionType.Integer => Convert.ToInt64(value, System.Globalization.CultureInfo.InvariantCulture),
        PositionType.Date => value is DateOnly date ? date.DayNumber : DateOnly.FromDateTime((DateTime)value).DayNumber,
        _ => (((DateTime)value).Ticks - DateTime.UnixEpoch.Ticks) / 10, // microseconds, PostgreSQL's own resolution
    };

    private static object ToParameter(long value, PositionType type) => type switch
    {
        PositionType.Integer => value,
        PositionType.Date => DateOnly.FromDayNumber((int)value),
        PositionType.TimestampTz => new DateTime(DateTime.UnixEpoch.Ticks + (value * 10), DateTimeKind.Utc),
        _ => new DateTime(DateTime.UnixEpoch.Ticks + (value * 10), DateTimeKind.Unspecified),
    };
}
