using System.Globalization;

namespace DataWeaver.Configuration;

/// <summary>Where something is in a pipeline definition file: the file and a 1-based line and column.</summary>
/// <param name="File">The file name or path as given to the loader; <see langword="null"/> for values built in code.</param>
/// <param name="Line">The line, from 1; 0 when unknown.</param>
/// <param name="Column">The column, from 1 (counted in characters); 0 when unknown.</param>
public readonly record struct ConfigLocation(string? File, int Line, int Column)
{
    /// <summary>Gets a location for values that do not come from a file.</summary>
    public static ConfigLocation None => default;

    /// <summary>Returns <c>file:line:column</c>, or what of it is known.</summary>
    /// <returns>The location as text.</returns>
    public override string ToString() => Line == 0
        ? File ?? "(code)"
        : string.Create(CultureInfo.InvariantCulture, $"{File ?? "(text)"}:{Line}:{Column}");
}
