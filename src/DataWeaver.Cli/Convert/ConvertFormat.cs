namespace DataWeaver.Cli.Convert;

/// <summary>The file formats <c>convert</c> reads and writes.</summary>
internal enum ConvertFormat
{
    /// <summary>JSON lines: one JSON value per line (<c>.jsonl</c>, <c>.ndjson</c>).</summary>
    JsonLines,

    /// <summary>An Avro Object Container File (<c>.avro</c>).</summary>
    Avro,

    /// <summary>CSV with a header row (<c>.csv</c>).</summary>
    Csv,
}

/// <summary>Format names and extensions.</summary>
internal static class ConvertFormats
{
    /// <summary>The names <c>--from</c> and <c>--to</c> accept.</summary>
    public static readonly string[] Names = ["jsonl", "avro", "csv"];

    /// <summary>Gets the format a flag names, or else the one of the file's extension.</summary>
    /// <param name="flag">The <c>--from</c> or <c>--to</c> value, or <see langword="null"/>.</param>
    /// <param name="path">The file.</param>
    /// <param name="flagName">The flag's name, for the message.</param>
    /// <returns>The format.</returns>
    /// <exception cref="ConvertInputException">There is no flag and the extension is not known.</exception>
    public static ConvertFormat Of(string? flag, string path, string flagName) => (flag ?? Path.GetExtension(path).ToLowerInvariant()) switch
    {
        "jsonl" or ".jsonl" or ".ndjson" => ConvertFormat.JsonLines,
        "avro" or ".avro" => ConvertFormat.Avro,
        "csv" or ".csv" => ConvertFormat.Csv,
        _ => throw new ConvertInputException($"cannot tell the format of '{path}' from its extension (.jsonl, .ndjson, .avro, .csv): pass {flagName} jsonl|avro|csv."),
    };

    /// <summary>Names a format as <c>--from</c> and <c>--to</c> do.</summary>
    /// <param name="format">The format.</param>
    /// <returns>The name.</returns>
    public static string Name(ConvertFormat format) => Names[(int)format];
}
