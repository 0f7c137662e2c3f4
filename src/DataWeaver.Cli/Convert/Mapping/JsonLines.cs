using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Records;

namespace DataWeaver.Cli.Convert.Mapping;

/// <summary>Parsing the lines of a JSON-lines source.</summary>
internal static class JsonLines
{
    /// <summary>Parses a line as one JSON value.</summary>
    /// <param name="line">The line; its position is the byte offset, named in errors.</param>
    /// <returns>The document; dispose it.</returns>
    /// <exception cref="DataWeaverException">The line is not JSON (a data error).</exception>
    public static JsonDocument Parse(Record<ReadOnlyMemory<byte>> line)
    {
        try
        {
            return JsonDocument.Parse(line.Value);
        }
        catch (JsonException exception)
        {
            throw new DataWeaverException(ErrorClass.Data, $"line at byte {line.Position.Offset}: not JSON: {exception.Message}", exception);
        }
    }
}
