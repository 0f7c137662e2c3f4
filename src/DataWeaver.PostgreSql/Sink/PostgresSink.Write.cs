using System.Globalization;
using System.Text.RegularExpressions;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;
using Npgsql;

namespace DataWeaver.PostgreSql.Sink;

/// <summary>The writes: records to rows, one transaction per batch, and the bisection that finds refused records.</summary>
public sealed partial class PostgresSink
{
    private const string Savepoint = "dataweaver_bisect";

    /// <summary>The records as rows: the values of the columns (of the keys for a delete), by the record's index in the batch.</summary>
    private List<Row> Convert(ReadOnlySpan<JsonRecord> batch, out Dictionary<int, DataWeaverException> unconvertible)
    {
        unconvertible = [];
        var rows = new List<Row>(batch.Length);
        for (var i = 0; i < batch.Length; i++)
        {
            var record = batch[i];
            try
            {
                var delete = Keyed && record.TryGetBoolean(Options.DeleteField, out var deleted) && deleted;
                var values = new object[delete ? _keyIndexes.Length : _columns.Length];
                if (delete)
                {
                    for (var k = 0; k < _keyIndexes.Length; k++)
                    {
                        values[k] = _columns[_keyIndexes[k]].Read(record);
                    }
                }
                else
                {
                    for (var c = 0; c < _columns.Length; c++)
                    {
                        values[c] = _columns[c].Read(record);
                    }
                }

                foreach (var k in _keyIndexes)
                {
                    if ((delete ? values[Array.IndexOf(_keyIndexes, k)] : values[k]) is DBNull)
                    {
                        PostgresErrors.ThrowData($"The key field '{_columns[k].Name}' is missing or null: a keyed table needs every key column.");
                    }
                }

                rows.Add(new Row(i, delete, values));
            }
            catch (DataWeaverException error)
            {
                unconvertible[i] = error;
            }
        }

        return rows;
    }

    /// <summary>
    /// Writes the rows in one transaction. When the server refuses the batch for a record's sake, a second transaction
    /// bisects it under savepoints, keeps every part that the server accepts, and notes each refused record.
    /// </summary>
    private async Task WriteRowsAsync(List<Row> rows, Dictionary<int, DataWeaverException> refused, CancellationToken cancellationToken)
    {
        if (rows.Count == 0)
        {
            return;
        }

        var connection = await _dataSource!.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var connectionScope = connection.ConfigureAwait(false);
        var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using (transaction.ConfigureAwait(false))
        {
            try
            {
                await WriteAsync(connection, rows, cancellationToken).ConfigureAwait(false);
                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception error) when (PostgresErrors.Classify(error) == ErrorClass.Data)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                if (rows.Count == 1)
                {
                    refused[rows[0].Index] = Refusal(error);
                    return;
                }
            }
        }

        var isolation = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await using var isolationScope = isolation.ConfigureAwait(false);
        await IsolateAsync(connection, isolation, rows, refused, cancellationToken).ConfigureAwait(false);
        await isolation.CommitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Writes the rows under savepoints, skipping the refused ones: when the server names the failing row (the failing
    /// command of an upsert batch, the line of a COPY), that row is noted and the rest written again, one round trip per
    /// refused row; otherwise the rows are bisected.
    /// </summary>
    private async Task IsolateAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Row> rows, Dictionary<int, DataWeaverException> refused, CancellationToken cancellationToken)
    {
        while (rows.Count > 0)
        {
            await transaction.SaveAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            int? failed;
            try
            {
                await WriteAsync(connection, rows, cancellationToken).ConfigureAwait(false);
                await transaction.ReleaseAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception error) when (PostgresErrors.Classify(error) == ErrorClass.Data)
            {
                await transaction.RollbackAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                await transaction.ReleaseAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                failed = _failedRow is { } at && at < rows.Count ? at : null;
                if (failed is null || rows.Count == 1)
                {
                    await BisectAsync(connection, transaction, rows, knownToFail: true, refused, cancellationToken).ConfigureAwait(false);
                    return;
                }

                refused[rows[failed.Value].Index] = Refusal(error);
            }

            // The rows before the refused one went in before it failed: write them again, then go on after it.
            await IsolateAsync(connection, transaction, rows[..failed.Value], refused, cancellationToken).ConfigureAwait(false);
            rows = rows[(failed.Value + 1)..];
        }
    }

    private async Task<bool> BisectAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, List<Row> rows, bool knownToFail, Dictionary<int, DataWeaverException> refused, CancellationToken cancellationToken)
    {
        if (!knownToFail || rows.Count == 1)
        {
            await transaction.SaveAsync(Savepoint, cancellationToken).ConfigureAwait(false);
            try
            {
                await WriteAsync(connection, rows, cancellationToken).ConfigureAwait(false);
                await transaction.ReleaseAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (Exception error) when (PostgresErrors.Classify(error) == ErrorClass.Data)
            {
                await transaction.RollbackAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                await transaction.ReleaseAsync(Savepoint, cancellationToken).ConfigureAwait(false);
                if (rows.Count == 1)
                {
                    refused[rows[0].Index] = Refusal(error);
                    return false;
                }
            }
        }

        var half = rows.Count / 2;
        var left = await BisectAsync(connection, transaction, rows[..half], knownToFail: false, refused, cancellationToken).ConfigureAwait(false);

        // The whole failed: when the left half went in whole, the right half holds a refused record.
        await BisectAsync(connection, transaction, rows[half..], knownToFail: left, refused, cancellationToken).ConfigureAwait(false);
        return false;
    }

    private async Task WriteAsync(NpgsqlConnection connection, List<Row> rows, CancellationToken cancellationToken)
    {
        _failedRow = null;
        if (!Keyed)
        {
            await CopyAsync(connection, rows, cancellationToken).ConfigureAwait(false);
            return;
        }

        var batch = new NpgsqlBatch(connection);
        await using var batchScope = batch.ConfigureAwait(false);
        foreach (var row in rows)
        {
            var command = new NpgsqlBatchCommand(row.Delete ? _deleteSql : _upsertSql);
            for (var i = 0; i < row.Values.Length; i++)
            {
                var column = _columns[row.Delete ? _keyIndexes[i] : i];
                command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = column.DbType, Value = row.Values[i] });
            }

            batch.BatchCommands.Add(command);
        }

        try
        {
            await batch.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error) when (error.BatchCommand is { } command)
        {
            _failedRow = batch.BatchCommands.IndexOf(command);
            throw;
        }
    }

    private async Task CopyAsync(NpgsqlConnection connection, List<Row> rows, CancellationToken cancellationToken)
    {
        var importer = await connection.BeginBinaryImportAsync(_copySql, cancellationToken).ConfigureAwait(false);
        try
        {
            foreach (var row in rows)
            {
                await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                for (var c = 0; c < _columns.Length; c++)
                {
                    var value = row.Values[c];
                    if (value is DBNull)
                    {
                        await importer.WriteNullAsync(cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await importer.WriteAsync(value, _columns[c].DbType, cancellationToken).ConfigureAwait(false);
                    }
                }
            }

            await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException error) when (CopyLine().Match(error.Where ?? "") is { Success: true } line)
        {
            _failedRow = int.Parse(line.Groups[1].ValueSpan, CultureInfo.InvariantCulture) - 1; // "COPY orders, line 5, column ...": rows count from 1
            throw;
        }
        finally
        {
            try
            {
                await importer.DisposeAsync().ConfigureAwait(false);
            }
            catch (Exception error) when (error is NpgsqlException or InvalidOperationException)
            {
                // The COPY failed already: the error that matters is the one thrown above.
            }
        }
    }

    private DataWeaverException Refusal(Exception error) => new(ErrorClass.Data, $"{_display} refused the record: {PostgresErrors.Describe(error)}", error);

    [GeneratedRegex(@"^COPY [^\n]*?, line (\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex CopyLine();

    /// <summary>One record as a row: its index in the batch, whether it deletes, and its values.</summary>
    private readonly record struct Row(int Index, bool Delete, object[] Values);
}
