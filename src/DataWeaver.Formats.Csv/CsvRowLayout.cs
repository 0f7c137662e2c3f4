namespace DataWeaver.Formats.Csv;

/// <summary>
/// What a csv row's bytes depend on besides its cells: the delimiter and the columns in order. A row read in one layout
/// is written as it is by a sink of an equal layout (<see cref="Configuration.Formats.RecordWithOriginal"/>).
/// </summary>
/// <param name="Delimiter">The field delimiter.</param>
/// <param name="Columns">The column names in order, one per line.</param>
internal sealed record CsvRowLayout(char Delimiter, string Columns)
{
    // One instance per layout, so that a sink finds its source's layout by reference, not by comparing columns per record.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<(char, string), CsvRowLayout> Interned = new();

    /// <summary>The layout of these columns with this delimiter (the same instance for equal layouts).</summary>
    /// <remarks>At most 1,000 layouts are kept (files with ever new headers): past them, equal layouts are found by value.</remarks>
    public static CsvRowLayout Of(char delimiter, string columns) =>
        Interned.TryGetValue((delimiter, columns), out var layout) ? layout
        : Interned.Count < 1_000 ? Interned.GetOrAdd((delimiter, columns), key => new CsvRowLayout(key.Item1, key.Item2))
        : new CsvRowLayout(delimiter, columns);

    /// <summary>
    /// Whether a raw row (without its line break) may be kept for writing as it is: it is not empty and has no quote and
    /// no carriage return, so its cells are exactly the text between delimiters and need no quoting when written again.
    /// </summary>
    public static bool CanKeep(ReadOnlySpan<byte> raw) => !raw.IsEmpty && raw.IndexOfAny((byte)'"', (byte)'\r') < 0;
}
