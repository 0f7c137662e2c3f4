using System.Text;
using DataWeaver.Configuration.Formats;
using DataWeaver.Formats.Csv;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Tests.Csv;

/// <summary>
/// Rows written as they were read (<see cref="RecordWithOriginal"/>) against the same records encoded again: the
/// output must be the same bytes, whatever the cells.
/// </summary>
public sealed class CsvOriginalRowTests
{
    // Cells that are written as they are, and cells that are not (quotes, delimiters, line breaks, escapes, non-ASCII,
    // non-shortest numbers, padded text, formula-like text, empty).
    private static readonly string[] Cells =
    [
        "a", "plain text", " padded ", "-12", "0", "007", "1.50", "true", "FALSE", "", "null", "=SUM(A1)", "+1", "@x", "#c",
        "say \"hi\"", "x,y", "two\nlines", "cr\rhere", "é", "back\\slash", "tab\there", "9223372036854775807", "-", "{\"k\":1}",
    ];

    public static TheoryData<string, char> Layouts => new()
    {
        { "", ',' },
        { "n:integer,ok:boolean", ',' },
        { "", ';' },
        { "", '\t' },
    };

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task Write_RowsReadInTheSameLayout_SameBytesAsEncodingTheRecords(string types, char delimiter)
    {
        var random = new Random(42 + delimiter);
        var text = new StringBuilder(string.Join(delimiter, "s", "n", "ok", "amount")).Append('\n');
        for (var row = 0; row < 3_000; row++)
        {
            var cells = Enumerable.Range(0, 4).Select(column => Cell(random, types.Length == 0 ? 0 : column)).ToArray();
            text.Append(string.Join(delimiter, cells.Select(c => Quote(c, delimiter)))).Append(random.Next(10) == 0 ? "\r\n" : "\n");
        }

        var format = new CsvFileFormat(new CsvFormatOptions
        {
            Delimiter = delimiter,
            Columns = [.. types.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(t => t.Split(':')).Select(t => new KeyValuePair<string, CsvColumnType>(t[0], Enum.Parse<CsvColumnType>(t[1], ignoreCase: true)))],
        });
        var records = await ReadAsync(format, text.ToString());
        // Writing, listed columns are all the columns: list the string one too.
        format = types.Length == 0 ? format : new CsvFileFormat(format.Options with
        {
            Columns = [.. new[] { "s", "n", "ok", "amount" }.Select(n => new KeyValuePair<string, CsvColumnType>(n, format.Options.Columns.FirstOrDefault(c => c.Key == n).Value))],
        });
        var kept = records.Count(Kept);

        var copied = await WriteAsync(format, [.. records], batch: 64);
        var encoded = await WriteAsync(format, [.. records.Select(r => r.Detach())], batch: 64);
        var mixed = await WriteAsync(format, [.. records.Select((r, i) => i % 5 == 0 ? r.Detach() : r)], batch: 7);

        Assert.InRange(kept, 300, records.Count - 100); // both kinds of rows are there, so both paths ran
        Assert.Equal(encoded, copied);
        Assert.Equal(encoded, mixed);
    }

    [Fact]
    public async Task RunAsync_CsvToCsvThroughTheEngine_SameFileAsThroughJsonLines()
    {
        var random = new Random(5);
        var text = new StringBuilder("s,n,ok,amount\n");
        for (var row = 0; row < 20_000; row++)
        {
            text.Append(string.Join(',', Enumerable.Range(0, 4).Select(_ => Quote(Cell(random, 0), ',')))).Append('\n');
        }

        using var run = new Support.DefinitionRun(r => r.AddCsv());
        run.Write("in.csv", text.ToString());
        await run.RunAsync(Files.FileConnectorTests.Pipeline("{ type: file, format: csv, settings: { path: in.csv } }", "{ type: file, format: csv, settings: { path: direct.csv } }"));
        await run.RunAsync(Files.FileConnectorTests.Pipeline("{ type: file, format: csv, settings: { path: in.csv } }", "{ type: file, format: json, settings: { path: rows.jsonl } }"));
        await run.RunAsync(Files.FileConnectorTests.Pipeline("{ type: file, format: json, settings: { path: rows.jsonl } }", "{ type: file, format: csv, settings: { path: encoded.csv } }"));

        Assert.Equal(20_000, run.Read("rows.jsonl").Count(c => c == '\n'));
        Assert.Equal(run.Read("encoded.csv"), run.Read("direct.csv"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(6)]
    [InlineData(13)]
    public async Task Read_PlainRowsOfEveryLength_JsonOfTheCellsAndTheRowKept(int columns)
    {
        // Rows of plain cells from empty to 90 bytes (below, across and past the 16-, 32- and 64-byte vector paths),
        // cells up to 40 bytes: each record is exactly the JSON of its cells, and the rows are written back as read.
        var random = new Random(columns);
        var names = Enumerable.Range(0, columns).Select(i => "c" + i).ToArray();
        var text = new StringBuilder(string.Join(',', names)).Append('\n');
        List<string[]> rows = [];
        for (var row = 0; row < 2_000; row++)
        {
            var budget = random.Next(91);
            var cells = Enumerable.Range(0, columns).Select(_ => new string((char)('a' + random.Next(26)), Math.Min(random.Next(budget / columns + 2), 40))).ToArray();
            if (cells.All(c => c.Length == 0))
            {
                cells[0] = "x"; // an empty line is no row
            }

            rows.Add(cells);
            text.Append(string.Join(',', cells)).Append('\n');
        }

        var format = new CsvFileFormat(new CsvFormatOptions());
        var records = await ReadAsync(format, text.ToString());

        Assert.Equal(rows.Count, records.Count);
        for (var i = 0; i < rows.Count; i++)
        {
            var expected = System.Text.Json.JsonSerializer.Serialize(names.Zip(rows[i]).ToDictionary(p => p.First, p => p.Second));
            Assert.Equal(expected, Encoding.UTF8.GetString(records[i].Utf8.Span));
            Assert.True(Kept(records[i]), $"row {i} was not kept");
        }

        Assert.Equal(text.ToString(), await WriteAsync(format, [.. records], batch: 100));
    }

    [Fact]
    public async Task Write_RowsOfAnotherLayout_AreEncodedInTheWritersColumns()
    {
        var read = new CsvFileFormat(new CsvFormatOptions());
        var records = await ReadAsync(read, "a,b\n1,x\n2,y\n");

        var reordered = await WriteAsync(new CsvFileFormat(new CsvFormatOptions { Columns = [new("b", CsvColumnType.String), new("a", CsvColumnType.String)] }), [.. records], batch: 10);
        var semicolons = await WriteAsync(new CsvFileFormat(new CsvFormatOptions { Delimiter = ';' }), [.. records], batch: 10);
        var quoted = await WriteAsync(new CsvFileFormat(new CsvFormatOptions { Quoting = CsvHelper.CsvQuoting.Always }), [.. records], batch: 10);

        Assert.Equal("b,a\nx,1\ny,2\n", reordered);
        Assert.Equal("a;b\n1;x\n2;y\n", semicolons);
        Assert.Equal("\"a\",\"b\"\n\"1\",\"x\"\n\"2\",\"y\"\n", quoted);
    }

    /// <summary>Whether a record holds the row it was read from: a plain row whose JSON is written when first read (<see cref="CsvRowBuffer"/>) or a row kept with its JSON (<see cref="RecordWithOriginal"/>).</summary>
    internal static bool Kept(JsonRecord record) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, CsvRowBuffer>(record.Utf8, out _)
        || System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, RecordWithOriginal>(record.Utf8, out _);

    /// <summary>A cell for a column: any text for strings (column 0 or untyped), else one of the typed column's cells, valid or not as the type reads them.</summary>
    private static string Cell(Random random, int column)
    {
        string[] typed = column switch
        {
            1 => ["-12", "0", "007", "9223372036854775807", "", "5", "-0", "+3"],
            2 => ["true", "false", "FALSE", "1", "0", ""],
            3 => ["1.50", "2", "-0.5", "1e3", "", "0.1", "12345678901234567890"],
            _ => [],
        };
        return typed.Length > 0 ? typed[random.Next(typed.Length)]
            : random.Next(3) == 0 ? Cells[random.Next(Cells.Length)] : "c" + random.Next(100);
    }

    private static string Quote(string cell, char delimiter) =>
        cell.IndexOfAny([delimiter, '"', '\n', '\r']) >= 0 || cell.StartsWith(' ') ? "\"" + cell.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : cell;

    /// <summary>Reads every record, holding a reference to each pooled buffer records borrow their bytes from (never released: the test ends).</summary>
    internal static async Task<List<JsonRecord>> ReadAsync(CsvFileFormat format, string text)
    {
        List<JsonRecord> records = [];
        await using var reader = format.CreateReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), "in.csv");
        while (await reader.MoveNextAsync(default))
        {
            Assert.Null(reader.Current.Error);
            reader.Current.Payload?.AddReference(); // as a batch of the engine does: the buffer stays until released
            records.Add(reader.Current.Record);
        }

        return records;
    }

    internal static async Task<string> WriteAsync(CsvFileFormat format, JsonRecord[] records, int batch)
    {
        using var output = new MemoryStream();
        await using (var writer = format.CreateWriter(output))
        {
            for (var i = 0; i < records.Length; i += batch)
            {
                await writer.WriteAsync(records.AsMemory(i, Math.Min(batch, records.Length - i)), default);
            }

            await writer.CompleteAsync(default);
        }

        return Encoding.UTF8.GetString(output.ToArray());
    }
}
