namespace DataWeaver.Formats.Csv.Rows;

/// <summary>The column names of CSV rows, shared by every row of a file.</summary>
public sealed class CsvHeader
{
    private readonly Dictionary<string, int> _indexes;

    /// <summary>Creates a header.</summary>
    /// <param name="names">The column names, in order.</param>
    /// <exception cref="Errors.DataWeaverException">A name appears twice (a data error).</exception>
    public CsvHeader(IReadOnlyList<string> names)
    {
        Names = names;
        _indexes = new Dictionary<string, int>(names.Count, StringComparer.Ordinal);
        for (var i = 0; i < names.Count; i++)
        {
            if (!_indexes.TryAdd(names[i], i))
            {
                throw new Errors.DataWeaverException(Errors.ErrorClass.Data, $"the column '{names[i]}' appears twice");
            }
        }
    }

    /// <summary>Gets the column names, in order.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>Gets the index of a column.</summary>
    /// <param name="name">The column name.</param>
    /// <returns>The index, or -1.</returns>
    public int IndexOf(string name) => _indexes.TryGetValue(name, out var index) ? index : -1;
}

/// <summary>A row of text cells under a header; a <see langword="null"/> cell is written empty.</summary>
/// <param name="Header">The column names.</param>
/// <param name="Values">The cells, one per column.</param>
/// <param name="Row">The row's line in its CSV file (from 1, the header being 1), or 0 for rows made from other formats.</param>
public sealed record CsvRow(CsvHeader Header, IReadOnlyList<string?> Values, long Row);
