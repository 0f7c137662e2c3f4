using System.Runtime.InteropServices;
using System.Text;
using System.Threading.Channels;
using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Tests.Support;
using DataWeaver.Serialization.Json;
using static DataWeaver.Formats.Tests.Files.FileConnectorTests;

namespace DataWeaver.Formats.Tests.Csv;

/// <summary>
/// Plain csv rows whose JSON is written when first read (<see cref="CsvRowBuffer"/>): copied to a csv sink of the
/// same layout without the JSON ever being written, the JSON right when a transform or another thread reads it, and bad
/// rows still dead-lettered with their original bytes.
/// </summary>
public sealed class CsvLazyRowTests
{
    [Fact]
    public async Task Write_PlainRowsNeverRead_SameBytesAsTheInputAndNoJsonWritten()
    {
        var text = Rows(5_000, seed: 1);
        var format = new CsvFileFormat(new CsvFormatOptions());
        JsonRecord[] records = [.. await CsvOriginalRowTests.ReadAsync(format, text)]; // the records' bytes not read

        var copied = await CsvOriginalRowTests.WriteAsync(format, records, batch: 100);

        Assert.Equal(text, copied);
        Assert.All(records, r => Assert.True(MemoryMarshal.TryGetMemoryManager<byte, CsvRowBuffer>(r.Utf8, out var buffer) && buffer.DecodedBytes == 0, "a row's JSON was written"));
        // Read afterwards, each record is the JSON of its cells.
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var names = lines[0].Split(',');
        for (var i = 0; i < records.Length; i++)
        {
            Assert.Equal(Json(names, lines[i + 1].Split(',')), Encoding.UTF8.GetString(records[i].Utf8.Span));
        }
    }

    [Fact]
    public async Task Read_ThreadsReadRecordsWhileTheReaderAddsRows_EachRecordTheJsonOfItsCells()
    {
        // The reader adds rows to a buffer while four threads read the records already handed over (each first read
        // writes the JSON of every row added so far): no record is read half written, none is overwritten.
        var text = Rows(60_000, seed: 2);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var names = lines[0].Split(',');
        var format = new CsvFileFormat(new CsvFormatOptions());
        var channel = Channel.CreateBounded<(int Index, JsonRecord Record, Buffers.PayloadBuffer? Payload)>(64);
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            var wrong = 0;
            await foreach (var (index, record, payload) in channel.Reader.ReadAllAsync())
            {
                if (Encoding.UTF8.GetString(record.Utf8.Span) != Json(names, lines[index + 1].Split(',')))
                {
                    wrong++;
                }

                payload?.Release();
            }

            return wrong;
        })).ToArray();

        await using (var reader = format.CreateReader(new MemoryStream(Encoding.UTF8.GetBytes(text)), "in.csv"))
        {
            var index = 0;
            while (await reader.MoveNextAsync(default))
            {
                Assert.Null(reader.Current.Error);
                Assert.True(MemoryMarshal.TryGetMemoryManager<byte, CsvRowBuffer>(reader.Current.Record.Utf8, out _));
                reader.Current.Payload?.AddReference(); // as a batch does: released once read
                await channel.Writer.WriteAsync((index++, reader.Current.Record, reader.Current.Payload));
            }

            Assert.Equal(lines.Length - 1, index);
        }

        channel.Writer.Complete();
        var wrong = await Task.WhenAll(readers);
        Assert.Equal(new[] { 0, 0, 0, 0 }, wrong);
    }

    [Fact]
    public async Task RunAsync_TransformsReadFieldsOfPlainRows_SeeTheCellsAndWriteThemBack()
    {
        var text = Rows(20_000, seed: 3);
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        using var run = new DefinitionRun(r => r.AddCsv());
        run.Write("in.csv", text);
        await run.RunAsync($$"""
            version: 1
            pipelines:
              - name: p
                source: { type: file, format: csv, settings: { path: in.csv } }
                transforms:
                  - filter: { field: country, op: "==", value: FR }
                  - set: { field: seen, value: "yes" }
                sinks: [{ type: file, format: csv, settings: { path: out.csv } }]
            """);

        var expected = new StringBuilder(lines[0]).Append(",seen\n");
        foreach (var line in lines.Skip(1).Where(l => l.Split(',')[2] == "FR"))
        {
            expected.Append(line).Append(",yes\n");
        }

        Assert.Equal(expected.ToString(), run.Read("out.csv"));
    }

    [Fact]
    public async Task RunAsync_MalformedRowsAmongPlainRows_DeadLetteredWithTheirBytesAndTheRestCopiedAsRead()
    {
        var good = Rows(3_000, seed: 4).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var input = new StringBuilder(good[0]).Append('\n');
        List<string> bad = [];
        for (var i = 1; i < good.Length; i++)
        {
            input.Append(good[i]).Append('\n');
            if (i % 1_000 == 0)
            {
                var row = "only,two-" + i; // 2 fields, 4 columns
                bad.Add(row);
                input.Append(row).Append('\n');
            }
        }

        using var run = new DefinitionRun(r => r.AddCsv());
        run.Write("in.csv", input.ToString());
        await run.RunAsync(Pipeline(
            "{ type: file, format: csv, settings: { path: in.csv } }",
            "{ type: file, format: csv, settings: { path: out.csv } }",
            deadLetter: "{ type: file, settings: { path: dead.jsonl } }"));

        Assert.Equal(string.Join('\n', good) + "\n", run.Read("out.csv"));
        var dead = run.Read("dead.jsonl");
        Assert.Equal(bad, DeadLetters.Payloads(dead).Select(p => Encoding.UTF8.GetString(p)));
        var messages = DeadLetters.Messages(dead);
        Assert.Equal(bad.Count, messages.Count);
        Assert.All(messages, m => Assert.Contains("2 fields, but there are 4 columns", m, StringComparison.Ordinal));
        Assert.Contains("in.csv row 1001 ", messages[0], StringComparison.Ordinal);
    }

    /// <summary>A header <c>id,user,country,note</c> and plain rows of varied lengths (some over 64 bytes).</summary>
    private static string Rows(int count, int seed)
    {
        var random = new Random(seed);
        string[] countries = ["FR", "DE", "IT", ""];
        var text = new StringBuilder("id,user,country,note\n");
        for (var i = 0; i < count; i++)
        {
            text.Append(i).Append(",user-").Append(random.Next(100_000)).Append(',').Append(countries[random.Next(countries.Length)]).Append(',')
                .Append(new string((char)('a' + random.Next(26)), random.Next(random.Next(4) == 0 ? 80 : 12))).Append('\n');
        }

        return text.ToString();
    }

    private static string Json(string[] names, string[] cells) =>
        System.Text.Json.JsonSerializer.Serialize(names.Zip(cells).ToDictionary(p => p.First, p => p.Second));
}
