using System.Buffers;
using DataWeaver.Formats.Avro;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Records;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Tests.Avro;

/// <summary>The direct path for records of primitive fields against the general mapping (generic records): the same JSON, bytes and errors.</summary>
public sealed class AvroFlatRecordCodecTests
{
    private const string FlatSchema = """
        {"type":"record","name":"Row","fields":[
          {"name":"id","type":"long"},{"name":"n","type":"int"},{"name":"ok","type":"boolean"},{"name":"f","type":"float"},
          {"name":"d","type":"double"},{"name":"s","type":"string"},{"name":"b","type":"bytes"},{"name":"nothing","type":"null"},
          {"name":"maybe","type":["null","string"]},{"name":"num","type":["null","long","double"]},{"name":"either","type":["int","string","boolean"]}]}
        """;

    private static readonly AvroSchema Schema = AvroSchema.Parse(FlatSchema);

    public static TheoryData<int> Rows => [0, 1, 2, 3];

    [Theory]
    [MemberData(nameof(Rows))]
    public void Decode_FlatRecord_WritesTheJsonOfTheGeneralMapping(int row)
    {
        var datum = Datum(row);
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            var reader = new DataWeaver.Serialization.Avro.Binary.AvroReader(datum);
            AvroFlatRecordCodec.TryCreate(Schema)!.Decode(ref reader, writer);
            Assert.True(reader.End);
        }

        Assert.Equal(AvroJsonRecords.Read(datum, Schema).ToString(), System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Theory]
    [MemberData(nameof(Rows))]
    public void TryEncode_RecordInSchemaOrder_WritesTheDatumOfTheGeneralMapping(int row)
    {
        var record = AvroJsonRecords.Read(Datum(row), Schema);
        var expected = new ArrayBufferWriter<byte>();
        AvroJsonRecords.Write(Schema, record, expected);
        var direct = new ArrayBufferWriter<byte>();

        var taken = AvroFlatRecordCodec.TryCreate(Schema)!.TryEncode(record.Utf8.Span, direct);

        Assert.Equal(row != 1, taken); // row 1 has NaN and -Infinity, written as text: the general mapping's
        if (taken)
        {
            Assert.Equal(Convert.ToHexString(expected.WrittenSpan), Convert.ToHexString(direct.WrittenSpan));
        }
    }

    [Theory]
    [InlineData("""{"n":1,"id":2}""")]                                   // out of schema order
    [InlineData("""{"id":2}""")]                                         // missing fields
    [InlineData("""{"id":2,"n":1,"ok":true,"f":1,"d":"NaN"}""")]         // a double as text
    [InlineData("""{"id":2,"n":1,"ok":true,"f":1,"d":1,"s":"x","b":"a!","nothing":null,"maybe":null,"num":null,"either":1}""")] // not base64: the general mapping's error
    [InlineData("""{"id":2,"n":1,"ok":true,"f":1,"d":1,"s":"x","b":"aGk=","nothing":null,"maybe":null,"num":null,"either":1,"extra":1}""")]
    public void TryEncode_WhatTheGeneralMappingDecides_GivesUp(string json)
    {
        Assert.False(AvroFlatRecordCodec.TryCreate(Schema)!.TryEncode(JsonRecord.Parse(json).Utf8.Span, new ArrayBufferWriter<byte>()));
    }

    [Theory]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"t","type":{"type":"long","logicalType":"timestamp-millis"}}]}""")]
    [InlineData("""{"type":"record","name":"R","fields":[{"name":"a","type":{"type":"array","items":"int"}}]}""")]
    [InlineData("\"string\"")]
    public void TryCreate_SchemaWithLogicalOrComplexTypes_IsNull(string schema)
    {
        Assert.Null(AvroFlatRecordCodec.TryCreate(AvroSchema.Parse(schema)));
    }

    [Fact]
    public async Task Reader_FlatFile_ReadsTheRecordsAndErrorsOfTheGeneralPath()
    {
        // Three blocks: two good records, then a record whose string is not UTF-8, then one more good record.
        using var file = new MemoryStream();
        using (var writer = new AvroContainerWriter(file, Schema, new AvroContainerWriterOptions { LeaveOpen = true }))
        {
            writer.Append(Generic(0));
            writer.Append(Generic(1));
            writer.Flush();
            var bad = Generic(2);
            bad["s"] = "\u00e9\u00e9\u00e9 marker";
            writer.Append(bad);
            writer.Flush();
            writer.Append(Generic(3));
        }

        var bytes = file.ToArray();
        var marker = bytes.AsSpan().IndexOf("\u00e9\u00e9\u00e9 marker"u8);
        bytes[marker] = 0xFF;

        var direct = await ReadAll(new AvroFileFormat(new AvroFormatOptions()), bytes);
        var general = await ReadAll(new AvroFileFormat(new AvroFormatOptions { Schema = AvroSchema.Parse(FlatSchema.Replace("\"name\":\"Row\"", "\"name\":\"Row\",\"doc\":\"forces the general path\"", StringComparison.Ordinal)) }), bytes);

        Assert.Equal(3, direct.Count);
        Assert.Equal(general, direct);
        Assert.StartsWith("in.avro record 3: ", direct[2], StringComparison.Ordinal);
        Assert.EndsWith("(the rest of the file cannot be read)", direct[2], StringComparison.Ordinal);
    }

    private static async Task<List<string>> ReadAll(AvroFileFormat format, byte[] bytes)
    {
        List<string> items = [];
        await using var reader = format.CreateReader(new MemoryStream(bytes), "in.avro");
        while (await reader.MoveNextAsync(default))
        {
            var item = reader.Current;
            items.Add(item.Error is { } error ? error.Message : item.Record.ToString());
        }

        return items;
    }

    [Fact]
    public void TryDecodeDirect_RandomRecords_WritesWhatDecodeWritesOrDeclines()
    {
        var random = new Random(3);
        var codec = AvroFlatRecordCodec.TryCreate(Schema)!;
        string[] texts = ["plain", "", "<script>&'`+=", "quote \" here", "back\\slash", "é", "tab\t", "~!@#$%^*()_{}|:?><,./;[]"];
        double[] doubles = [0.1, -0.0, 1e300, double.Epsilon, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 123456789.125, 1e16, 1e-7];
        int direct = 0, declined = 0;
        for (var row = 0; row < 5_000; row++)
        {
            var record = new GenericRecord((RecordSchema)Schema);
            record["id"] = random.NextInt64(long.MinValue, long.MaxValue);
            record["n"] = random.Next(int.MinValue, int.MaxValue);
            record["ok"] = random.Next(2) == 0;
            record["f"] = (float)doubles[random.Next(doubles.Length)] * (float)random.NextDouble();
            record["d"] = random.Next(2) == 0 ? doubles[random.Next(doubles.Length)] : random.NextDouble() * Math.Pow(10, random.Next(-20, 20));
            record["s"] = texts[random.Next(texts.Length)];
            var bytes = new byte[random.Next(6)];
            random.NextBytes(bytes);
            record["b"] = bytes;
            record["nothing"] = null;
            record["maybe"] = random.Next(2) == 0 ? null : texts[random.Next(texts.Length)];
            record["num"] = random.Next(3) switch { 0 => null, 1 => random.NextInt64(), _ => (object)doubles[random.Next(doubles.Length)] };
            record["either"] = random.Next(3) switch { 0 => random.Next(), 1 => texts[random.Next(texts.Length)], _ => (object)(random.Next(2) == 0) };
            var datum = new ArrayBufferWriter<byte>();
            AvroDatum.Write(datum, Schema, record);

            var expected = new ArrayBufferWriter<byte>();
            using (var writer = new System.Text.Json.Utf8JsonWriter(expected, new System.Text.Json.JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                var reader = new DataWeaver.Serialization.Avro.Binary.AvroReader(datum.WrittenSpan);
                codec.Decode(ref reader, writer);
            }

            var destination = new byte[expected.WrittenCount + 16];
            var directReader = new DataWeaver.Serialization.Avro.Binary.AvroReader(datum.WrittenSpan);
            if (codec.TryDecodeDirect(ref directReader, destination, out var written))
            {
                direct++;
                Assert.Equal(System.Text.Encoding.UTF8.GetString(expected.WrittenSpan), System.Text.Encoding.UTF8.GetString(destination, 0, written));
                Assert.Equal(datum.WrittenCount, directReader.Position);
                var tooSmall = new DataWeaver.Serialization.Avro.Binary.AvroReader(datum.WrittenSpan);
                Assert.False(codec.TryDecodeDirect(ref tooSmall, destination.AsSpan(0, written - 1), out _));
            }
            else
            {
                declined++;
            }
        }

        Assert.InRange(direct, 500, 4_500); // both ways taken
        Assert.InRange(declined, 500, 4_500);
    }

    private static byte[] Datum(int row)
    {
        var output = new ArrayBufferWriter<byte>();
        AvroDatum.Write(output, Schema, Generic(row));
        return output.WrittenSpan.ToArray();
    }

    private static GenericRecord Generic(int row)
    {
        var record = new GenericRecord((RecordSchema)Schema);
        record["id"] = row == 1 ? long.MinValue : 1_000_000L + row;
        record["n"] = row == 2 ? int.MaxValue : -row;
        record["ok"] = row % 2 == 0;
        record["f"] = row switch { 0 => 1.5f, 1 => float.NaN, 2 => 3.4028235E+38f, _ => 1e-7f };
        record["d"] = row switch { 0 => 0.1, 1 => double.NegativeInfinity, 2 => 1e300, _ => -0.0 };
        record["s"] = row switch { 0 => "plain", 1 => "quote \" slash \\ tab \t é 中 😀", 2 => "", _ => "<script>&" };
        record["b"] = row == 3 ? new byte[] { 0, 255, 7 } : Array.Empty<byte>();
        record["nothing"] = null;
        record["maybe"] = row % 2 == 0 ? null : "text";
        record["num"] = row switch { 0 => null, 1 => 42L, 2 => 2.5, _ => 7.0 };
        record["either"] = row switch { 0 => 5, 1 => "five", 2 => true, _ => -1 };
        return record;
    }
}
