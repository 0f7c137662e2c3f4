using System.Runtime.CompilerServices;
using CsvHelper;
using DataWeaver.Connectors;
using DataWeaver.Errors;

namespace DataWeaver.Formats.Csv.Rows;

/// <summary>Reads a CSV file with a header row (CsvHelper; RFC 4180 quoting, comma separated, values kept as written) as rows of text cells.</summary>
/// <param name="path">The file.</param>
public sealed class CsvFileSource(string path) : SourceConnector<CsvRow>(Path.GetFileName(path))
{
    /// <summary>The reader options: a comma separator (not detected), values not trimmed.</summary>
    public static readonly CsvReaderOptions Options = CsvReaderOptions.Default with { Separator = ',', TrimWhitespace = false, HasHeader = true };

    /// <inheritdoc />
    public override async IAsyncEnumerable<CsvRow> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var csv = CsvReader.FromFile(path, Options);
        await using (csv.ConfigureAwait(false))
        {
            await csv.ReadHeaderAsync(cancellationToken).ConfigureAwait(false);
            var header = new CsvHeader([.. csv.Headers]);
            while (await csv.ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (csv.FieldCount != header.Names.Count)
                {
                    throw new DataWeaverException(ErrorClass.Data, $"row {csv.RowNumber}: {csv.FieldCount} fields, but the header has {header.Names.Count}");
                }

                var values = new string?[header.Names.Count];
                for (var i = 0; i < values.Length; i++)
                {
                    values[i] = csv.GetString(i);
                }

                yield return new CsvRow(header, values, csv.RowNumber);
            }
        }
    }
}
