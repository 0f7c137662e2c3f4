using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataWeaver.Formats.Csv;

namespace DataWeaver.Formats.Tests.Csv;

/// <summary>Rows put together without Utf8JsonWriter (cells written as they are) against what the writer writes for the same cells.</summary>
public sealed class CsvVerbatimRowTests
{
    [Fact]
    public async Task Read_EveryPrintableAsciiCellAndTypedCells_GiveWhatUtf8JsonWriterWrites()
    {
        // Each printable ASCII character alone, next to cells that need the writer: escapes, non-ASCII, non-shortest
        // integers, booleans other than true and false, and empty typed cells.
        var integers = new[] { "0", "-12", "123456789012345678", "1234567890123456789", "-0", "007", "" };
        var booleans = new[] { "true", "false", "1", "0", "TRUE", "" };
        var text = new StringBuilder("s,n,ok,quoted\n");
        List<string[]> rows = [];
        for (var c = 0x20; c < 0x7F; c++)
        {
            string[] row = [((char)c).ToString(), integers[c % integers.Length], booleans[c % booleans.Length], c % 3 == 0 ? "é" : "tab\there"];
            rows.Add(row);
            text.Append(string.Join(',', row.Select(Quote))).Append('\n');
        }

        var format = new CsvFileFormat(new CsvFormatOptions { Columns = [new("n", CsvColumnType.Integer), new("ok", CsvColumnType.Boolean)] });
        await using var reader = format.CreateReader(new MemoryStream(Encoding.UTF8.GetBytes(text.ToString())), "in.csv");
        var i = 0;
        while (await reader.MoveNextAsync(default))
        {
            Assert.Null(reader.Current.Error);
            Assert.Equal(Expected(rows[i++]), reader.Current.Record.ToString());
        }

        Assert.Equal(rows.Count, i);
    }

    private static string Quote(string cell) => cell.IndexOfAny([',', '"', '\t', ' ']) >= 0 ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    private static string Expected(string[] row)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            writer.WriteString("s", row[0]);
            if (row[1].Length == 0)
            {
                writer.WriteNull("n");
            }
            else
            {
                writer.WriteNumber("n", long.Parse(row[1], System.Globalization.CultureInfo.InvariantCulture));
            }

            if (row[2].Length == 0)
            {
                writer.WriteNull("ok");
            }
            else
            {
                writer.WriteBoolean("ok", row[2] is "1" || row[2].Equals("true", StringComparison.OrdinalIgnoreCase));
            }

            writer.WriteString("quoted", row[3]);
            writer.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
