using CsvHelper;

namespace DataWeaver.Formats.Csv;

/// <summary>Options of the <c>csv</c> format. Immutable.</summary>
public sealed record CsvFormatOptions
{
    /// <summary>Gets a value indicating whether the first row of a file names the columns (and is written first).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Header { get; init; } = true;

    /// <summary>Gets the field delimiter, an ASCII character.</summary>
    /// <value>The default is <c>,</c>.</value>
    public char Delimiter { get; init; } = ',';

    /// <summary>Gets when written fields are quoted.</summary>
    /// <value>The default is <see cref="CsvQuoting.WhenNeeded"/> (RFC 4180).</value>
    public CsvQuoting Quoting { get; init; } = CsvQuoting.WhenNeeded;

    /// <summary>
    /// Gets the columns in order with their types. Reading with a header, listed columns are typed and the others are
    /// strings; without a header the columns are exactly these. Writing, they are the columns (else the first record's fields).
    /// </summary>
    /// <value>The default is none: columns from the header, every cell a string.</value>
    public IReadOnlyList<KeyValuePair<string, CsvColumnType>> Columns { get; init; } = [];

    /// <summary>Gets the longest record accepted, in bytes.</summary>
    /// <value>The default is 1 MiB.</value>
    public int MaxRecordBytes { get; init; } = 1024 * 1024;
}
