namespace DataWeaver.Formats.Csv;

/// <summary>How a CSV cell becomes a JSON value.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Named after the values definition files write.")]
public enum CsvColumnType
{
    /// <summary>A JSON string (the default): the cell as written.</summary>
    String,

    /// <summary>A JSON integer (64-bit); an empty cell is <c>null</c>.</summary>
    Integer,

    /// <summary>A JSON number (a double); an empty cell is <c>null</c>.</summary>
    Number,

    /// <summary><c>true</c> or <c>false</c> (also <c>1</c>/<c>0</c>, any case); an empty cell is <c>null</c>.</summary>
    Boolean,

    /// <summary>The cell's text is JSON (an object, array or any value) and is kept as is; an empty cell is <c>null</c>.</summary>
    Json,
}
