using DataWeaver.Configuration.Formats;
using DataWeaver.Formats.Avro;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Tests.Avro;

/// <summary>
/// Datums written as they were read (<see cref="RecordWithOriginal"/>) against the same records encoded again: the
/// blocks must hold the same bytes.
/// </summary>
public sealed class AvroOriginalDatumTests
{
    private const string Flat = """
        {"type":"record","name":"Row","fields":[
          {"name":"id","type":"long"},{"name":"n","type":"int"},{"name":"ok","type":"boolean"},{"name":"f","type":"float"},
          {"name":"d","type":"double"},{"name":"s","type":"string"},{"name":"b","type":"bytes"},{"name":"nothing","type":"null"},
          {"name":"maybe","type":["null","string"]},{"name":"amount","type":["double","null"]}]}
        """;

    // A union of two branches that take the same JSON: encoding the JSON may pick another branch than the datum's.
    private const string Ambiguous = """
        {"type":"record","name":"Row","fields":[{"name":"id","type":"long"},{"name":"num","type":["null","int","long"]}]}
        """;

    [Fact]
    public async Task Write_DatumsReadWithTheSameSchema_SameBlocksAsEncodingTheRecords()
    {
        var schema = AvroSchema.Parse(Flat);
        var random = new Random(7);
        var input = Container(schema, Enumerable.Range(0, 5_000).Select(i => FlatRow(schema, random, i)));
        var format = new AvroFileFormat(new AvroFormatOptions { Schema = schema });

        var records = await ReadAsync(format, input);
        var copied = await WriteAsync(format, records, batch: 64);
        var encoded = await WriteAsync(format, [.. records.Select(r => r.Detach())], batch: 64);
        var mixed = await WriteAsync(format, [.. records.Select((r, i) => i % 3 == 0 ? r.Detach() : r)], batch: 64);

        Assert.All(records, r => Assert.True(System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, RecordWithOriginal>(r.Utf8, out _)));
        Assert.Equal(encoded, copied);
        Assert.Equal(encoded, mixed);
    }

    [Fact]
    public async Task RunAsync_AvroToAvroThroughTheEngine_SameDatumsAsThroughJsonLines()
    {
        var schema = AvroSchema.Parse(Flat);
        var random = new Random(11);
        using var run = new Support.DefinitionRun(r => r.AddAvro());
        run.Write("row.avsc", Flat);
        File.WriteAllBytes(run.PathOf("in.avro"), Container(schema, Enumerable.Range(0, 20_000).Select(i => FlatRow(schema, random, i))));
        const string Format = "{ type: avro, settings: { schemaFile: row.avsc } }";
        await run.RunAsync(Files.FileConnectorTests.Pipeline($"{{ type: file, format: {Format}, settings: {{ path: in.avro }} }}", $"{{ type: file, format: {Format}, settings: {{ path: direct.avro }} }}"));
        await run.RunAsync(Files.FileConnectorTests.Pipeline($"{{ type: file, format: {Format}, settings: {{ path: in.avro }} }}", "{ type: file, format: json, settings: { path: rows.jsonl } }"));
        await run.RunAsync(Files.FileConnectorTests.Pipeline("{ type: file, format: json, settings: { path: rows.jsonl } }", $"{{ type: file, format: {Format}, settings: {{ path: encoded.avro }} }}"));

        Assert.Equal(Datums(File.ReadAllBytes(run.PathOf("in.avro"))), Datums(File.ReadAllBytes(run.PathOf("direct.avro"))));
        Assert.Equal(Datums(File.ReadAllBytes(run.PathOf("encoded.avro"))), Datums(File.ReadAllBytes(run.PathOf("direct.avro"))));
    }

    [Fact]
    public async Task Read_SchemaWithAnAmbiguousUnion_KeepsNoDatumAndWritesWhatEncodingGives()
    {
        var schema = AvroSchema.Parse(Ambiguous);
        var rows = Enumerable.Range(0, 100).Select(i =>
        {
            var record = new GenericRecord((RecordSchema)schema);
            record["id"] = (long)i;
            record["num"] = i % 3 == 0 ? null : i % 3 == 1 ? i : (object)(long)i;
            return record;
        });
        var format = new AvroFileFormat(new AvroFormatOptions { Schema = schema });

        var records = await ReadAsync(format, Container(schema, rows));
        var written = await WriteAsync(format, records, batch: 10);

        Assert.DoesNotContain(records, r => System.Runtime.InteropServices.MemoryMarshal.TryGetMemoryManager<byte, RecordWithOriginal>(r.Utf8, out _));
        Assert.Equal(await WriteAsync(format, [.. records.Select(r => r.Detach())], batch: 10), written);
    }

    private static GenericRecord FlatRow(AvroSchema schema, Random random, int i)
    {
        double[] doubles = [0.0, -0.0, 1.5, double.MaxValue, double.Epsilon, -1e-300, 0.1, double.PositiveInfinity, double.NaN];
        string[] texts = ["", "plain", "quote \" and \\ back", "é ü 漢字 😀", "line\nbreak\ttab", "\u0001ctl"];
        var record = new GenericRecord((RecordSchema)schema);
        record["id"] = random.NextInt64(long.MinValue, long.MaxValue);
        record["n"] = random.Next(int.MinValue, int.MaxValue);
        record["ok"] = random.Next(2) == 0;
        record["f"] = i % 4 == 0 ? (float)doubles[random.Next(doubles.Length)] : (float)random.NextDouble() * 1e6f;
        record["d"] = i % 4 == 0 ? doubles[random.Next(doubles.Length)] : random.NextDouble() * 1e12;
        record["s"] = texts[random.Next(texts.Length)] + i;
        var bytes = new byte[random.Next(8)];
        random.NextBytes(bytes);
        record["b"] = bytes;
        record["nothing"] = null;
        record["maybe"] = i % 2 == 0 ? null : texts[random.Next(texts.Length)];
        record["amount"] = i % 5 == 0 ? null : random.NextDouble();
        return record;
    }

    private static byte[] Container(AvroSchema schema, IEnumerable<GenericRecord> rows)
    {
        using var output = new MemoryStream();
        using (var writer = new AvroContainerWriter(output, schema, new AvroContainerWriterOptions { BlockSize = 4096, LeaveOpen = true }))
        {
            foreach (var row in rows)
            {
                writer.Append(row);
            }
        }

        return output.ToArray();
    }

    /// <summary>Reads every record, holding a reference to each pooled buffer records borrow their bytes from (never released: the test ends).</summary>
    private static async Task<JsonRecord[]> ReadAsync(AvroFileFormat format, byte[] input)
    {
        List<JsonRecord> records = [];
        await using var reader = format.CreateReader(new MemoryStream(input), "in.avro");
        while (await reader.MoveNextAsync(default))
        {
            Assert.Null(reader.Current.Error);
            reader.Current.Payload?.AddReference(); // as a batch of the engine does: the buffer stays until released
            records.Add(reader.Current.Record);
        }

        return [.. records];
    }

    /// <summary>The data of every block the format's writer wrote, one after the other (the sync markers differ per file).</summary>
    private static async Task<string> WriteAsync(AvroFileFormat format, JsonRecord[] records, int batch)
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

        return Datums(output.ToArray());
    }

    /// <summary>The data of every block of a container file, one after the other, as hex.</summary>
    private static string Datums(byte[] file)
    {
        using var reader = AvroContainerReader.Open(new MemoryStream(file));
        return Convert.ToHexString([.. reader.ReadBlocks().SelectMany(b => b.Data.ToArray())]);
    }
}
