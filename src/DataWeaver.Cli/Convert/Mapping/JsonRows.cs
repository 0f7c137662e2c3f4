using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Formats.Csv.Rows;
using DataWeaver.Records;
using DataWeaver.Serialization;

namespace DataWeaver.Cli.Convert.Mapping;

/// <summary>
/// JSON lines and CSV without a schema: a JSON object becomes a row of its top-level fields (strings as they are, other
/// values as their JSON text, <see langword="null"/> empty), and a row becomes an object of string fields.
/// </summary>
internal static class JsonRows
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Turns a JSON line into a row of its top-level fields.</summary>
    /// <param name="line">The line.</param>
    /// <returns>The row, under a header of the object's field names.</returns>
    /// <exception cref="DataWeaverException">The line is not a JSON object (a data error naming the byte offset).</exception>
    public static CsvRow FromLine(Record<ReadOnlyMemory<byte>> line)
    {
        using var document = JsonLines.Parse(line);
        var root = document.RootElement;
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new DataWeaverException(ErrorClass.Data, $"line at byte {line.Position.Offset}: CSV needs a JSON object per line, found {root.ValueKind.ToString().ToLowerInvariant()}");
        }

        List<string> names = [];
        List<string?> values = [];
        foreach (var property in root.EnumerateObject())
        {
            names.Add(property.Name);
            values.Add(property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString(),
                JsonValueKind.Null => null,
                _ => property.Value.GetRawText(),
            });
        }

        return new CsvRow(new CsvHeader(names), values, 0);
    }

    /// <summary>Gets a serializer that writes a row as a JSON object of string fields.</summary>
    public static IRecordSerializer<CsvRow> Serializer { get; } = new RowSerializer();

    private sealed class RowSerializer : IRecordSerializer<CsvRow>
    {
        public string Format => "json";

        public void Serialize(in CsvRow value, IBufferWriter<byte> writer)
        {
            using var json = new Utf8JsonWriter(writer, Options);
            json.WriteStartObject();
            for (var i = 0; i < value.Header.Names.Count; i++)
            {
                json.WriteString(value.Header.Names[i], value.Values[i] ?? string.Empty);
            }

            json.WriteEndObject();
        }
    }
}
