using CsvHelper;
using DataWeaver.Connectors;
using DataWeaver.Errors;

namespace DataWeaver.Formats.Csv.Rows;

/// <summary>
/// Writes rows as a CSV file with a header row (CsvHelper, RFC 4180). The columns are <paramref name="columns"/>, or else
/// those of the first row; a later row is matched to them by name (a missing cell is written empty, a column the header
/// lacks is a data error).
/// </summary>
/// <param name="path">The file to write (replaced).</param>
/// <param name="columns">The columns, or <see langword="null"/> to take those of the first row.</param>
public sealed class CsvFileSink(string path, CsvHeader? columns) : SinkConnector<CsvRow>(Path.GetFileName(path))
{
    /// <summary>The writer options: quotes where needed and around values that start or end with whitespace.</summary>
    public static readonly CsvWriterOptions Options = CsvWriterOptions.Default with { Quoting = CsvQuoting.WhenNeededOrWhitespace };

    private CsvWriter? _csv;
    private CsvHeader? _columns;

    /// <inheritdoc />
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _csv = CsvWriter.ToFile(path, Options);
        _columns = null;
        if (columns is not null)
        {
            WriteHeader(_csv, columns);
        }

        return default;
    }

    /// <inheritdoc />
    public override async ValueTask WriteAsync(ReadOnlyMemory<CsvRow> batch, CancellationToken cancellationToken = default)
    {
        var csv = _csv ?? throw new InvalidOperationException($"Sink '{Name}' is not open.");
        for (var i = 0; i < batch.Length; i++)
        {
            var row = batch.Span[i];
            var header = _columns ?? WriteHeader(csv, row.Header);
            foreach (var cell in Align(row, header))
            {
                csv.WriteField(cell);
            }

            await csv.EndRecordAsync(cancellationToken).ConfigureAwait(false);
        }

        await csv.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (_csv is { } csv)
        {
            _csv = null;
            await csv.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static IReadOnlyList<string?> Align(CsvRow row, CsvHeader columns)
    {
        if (ReferenceEquals(row.Header, columns))
        {
            return row.Values;
        }

        var cells = new string?[columns.Names.Count];
        for (var i = 0; i < row.Header.Names.Count; i++)
        {
            var index = columns.IndexOf(row.Header.Names[i]);
            if (index < 0)
            {
                throw new DataWeaverException(ErrorClass.Data, $"a record has the field '{row.Header.Names[i]}', which is not a column (the columns come from the first record: {string.Join(", ", columns.Names)})");
            }

            cells[index] = row.Values[i];
        }

        return cells;
    }

    private CsvHeader WriteHeader(CsvWriter csv, CsvHeader header)
    {
        csv.WriteHeader([.. header.Names]);
        return _columns = header;
    }
}
