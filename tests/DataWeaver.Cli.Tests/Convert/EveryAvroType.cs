using System.Numerics;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Cli.Tests.Convert;

/// <summary>A schema with every Avro type and logical type, and records that reach their edges.</summary>
internal static class EveryAvroType
{
    public const string SchemaJson = """
        {"type": "record", "name": "Everything", "namespace": "test.cli", "fields": [
          {"name": "nothing", "type": "null"},
          {"name": "flag", "type": "boolean"},
          {"name": "small", "type": "int"},
          {"name": "big", "type": "long"},
          {"name": "ratio", "type": "float"},
          {"name": "precise", "type": "double"},
          {"name": "blob", "type": "bytes"},
          {"name": "text", "type": "string"},
          {"name": "nested", "type": {"type": "record", "name": "Nested", "fields": [
            {"name": "label", "type": "string"},
            {"name": "score", "type": ["null", "double"]}]}},
          {"name": "suit", "type": {"type": "enum", "name": "Suit", "symbols": ["SPADES", "HEARTS", "DIAMONDS", "CLUBS"]}},
          {"name": "items", "type": {"type": "array", "items": "long"}},
          {"name": "nestedItems", "type": {"type": "array", "items": "Nested"}},
          {"name": "attributes", "type": {"type": "map", "values": "string"}},
          {"name": "choice", "type": ["null", "string", "long", "Nested", {"type": "array", "items": "string"}]},
          {"name": "hash", "type": {"type": "fixed", "name": "Md5", "size": 16}},
          {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 20, "scale": 4}},
          {"name": "wideAmount", "type": {"type": "fixed", "name": "Wide", "size": 20, "logicalType": "decimal", "precision": 45, "scale": 10}},
          {"name": "id", "type": {"type": "string", "logicalType": "uuid"}},
          {"name": "day", "type": {"type": "int", "logicalType": "date"}},
          {"name": "timeMs", "type": {"type": "int", "logicalType": "time-millis"}},
          {"name": "timeUs", "type": {"type": "long", "logicalType": "time-micros"}},
          {"name": "atMs", "type": {"type": "long", "logicalType": "timestamp-millis"}},
          {"name": "atUs", "type": {"type": "long", "logicalType": "timestamp-micros"}},
          {"name": "localMs", "type": {"type": "long", "logicalType": "local-timestamp-millis"}},
          {"name": "localUs", "type": {"type": "long", "logicalType": "local-timestamp-micros"}},
          {"name": "maybeDay", "type": ["null", {"type": "int", "logicalType": "date"}], "default": null},
          {"name": "maybeHash", "type": ["null", "Md5"]}
        ]}
        """;

    public static readonly AvroSchema Schema = AvroSchema.Parse(SchemaJson);

    private static readonly RecordSchema Root = (RecordSchema)Schema;
    private static readonly RecordSchema Nested = (RecordSchema)Root.Fields.Single(f => f.Name == "nested").Schema;
    private static readonly EnumSchema Suit = (EnumSchema)Root.Fields.Single(f => f.Name == "suit").Schema;
    private static readonly FixedSchema Md5 = (FixedSchema)Root.Fields.Single(f => f.Name == "hash").Schema;

    private static readonly float[] Floats = [float.NaN, float.PositiveInfinity, float.NegativeInfinity, -0.0f, float.Epsilon, float.MaxValue, float.MinValue, 0.1f, 1f / 3, 16_777_217f];
    private static readonly double[] Doubles = [double.NaN, double.PositiveInfinity, double.NegativeInfinity, -0.0, double.Epsilon, double.MaxValue, double.MinValue, 0.1, Math.PI, 1e300];
    private static readonly string[] Texts = ["", "plain", "héllo wörld ✓ 𝄞 中文", "line\nbreak\r\ttab \"quoted\" back\\slash", "\u0001\u001f control", "{\"looks\": \"like json\"}", "42", "null"];

    /// <summary>Records 0..count-1: the first ones take the edge values in turn, the others random ones (seeded).</summary>
    public static List<GenericRecord> Records(int count)
    {
        var random = new Random(20261121);
        var records = new List<GenericRecord>(count);
        for (var n = 0; n < count; n++)
        {
            var r = new GenericRecord(Root);
            r["nothing"] = null;
            r["flag"] = n % 2 == 0;
            r["small"] = n switch { 0 => int.MinValue, 1 => int.MaxValue, 2 => 0, 3 => -1, _ => random.Next(int.MinValue, int.MaxValue) };
            r["big"] = n switch { 0 => long.MinValue, 1 => long.MaxValue, 2 => 0L, _ => random.NextInt64(long.MinValue, long.MaxValue) };
            r["ratio"] = n < Floats.Length ? Floats[n] : (float)((random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-30, 30)));
            r["precise"] = n < Doubles.Length ? Doubles[n] : (random.NextDouble() - 0.5) * Math.Pow(10, random.Next(-300, 300));
            r["blob"] = n == 0 ? Array.Empty<byte>() : Bytes(random, random.Next(1, 40));
            r["text"] = n < Texts.Length ? Texts[n] : "random-" + random.Next();
            r["nested"] = NestedRecord($"nested-{n}", n % 3 == 0 ? null : random.NextDouble());
            r["suit"] = new GenericEnum(Suit, Suit.Symbols[n % Suit.Symbols.Count]);
            r["items"] = n == 0 ? new List<object?>() : new List<object?> { long.MinValue, (long)n, long.MaxValue };
            r["nestedItems"] = new List<object?>(Enumerable.Range(0, n % 3).Select(i => (object?)NestedRecord($"item-{i}", i)));
            r["attributes"] = n == 0 ? new Dictionary<string, object?>() : new Dictionary<string, object?> { [""] = "empty key", ["ключ"] = "значение", ["k" + n] = Texts[n % Texts.Length] };
            r["choice"] = (n % 6) switch
            {
                0 => null,
                1 => Texts[n % Texts.Length],
                2 => random.NextInt64(),
                3 => NestedRecord("in-union", -1.5),
                4 => new List<object?> { "a", "", "c" },
                _ => "",
            };
            r["hash"] = new GenericFixed(Md5, Bytes(random, 16));
            r["amount"] = n switch
            {
                0 => 0.0000m,
                1 => 9_999_999_999_999_999.9999m,
                2 => -9_999_999_999_999_999.9999m,
                _ => Math.Round((decimal)(random.NextDouble() - 0.5) * 1_000_000m, 4),
            };
            r["wideAmount"] = new AvroDecimal(n switch
            {
                0 => BigInteger.Zero,
                1 => BigInteger.Pow(10, 45) - 1,
                2 => -(BigInteger.Pow(10, 45) - 1),
                _ => new BigInteger(random.NextInt64()) * random.NextInt64() * (random.Next(2) * 2 - 1),
            }, 10);
            r["id"] = n == 0 ? Guid.Empty : new Guid(Bytes(random, 16));
            r["day"] = n switch { 0 => DateOnly.MinValue, 1 => DateOnly.MaxValue, 2 => new DateOnly(1969, 7, 20), _ => DateOnly.FromDayNumber(random.Next(DateOnly.MinValue.DayNumber, DateOnly.MaxValue.DayNumber)) };
            r["timeMs"] = n switch { 0 => TimeOnly.MinValue, 1 => new TimeOnly(23, 59, 59, 999), _ => new TimeOnly(random.NextInt64(0, TimeSpan.TicksPerDay / TimeSpan.TicksPerMillisecond) * TimeSpan.TicksPerMillisecond) };
            r["timeUs"] = n switch { 0 => TimeOnly.MinValue, 1 => new TimeOnly(TimeSpan.TicksPerDay - 10), _ => new TimeOnly(random.NextInt64(0, TimeSpan.TicksPerDay / 10) * 10) };
            r["atMs"] = Instant(n, random, TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
            r["atUs"] = Instant(n, random, TimeSpan.TicksPerMicrosecond, DateTimeKind.Utc);
            r["localMs"] = Instant(n, random, TimeSpan.TicksPerMillisecond, DateTimeKind.Unspecified);
            r["localUs"] = Instant(n, random, TimeSpan.TicksPerMicrosecond, DateTimeKind.Unspecified);
            r["maybeDay"] = n % 2 == 0 ? null : new DateOnly(2000, 2, 29).AddDays(n);
            r["maybeHash"] = n % 2 == 1 ? null : new GenericFixed(Md5, Bytes(random, 16));
            records.Add(r);
        }

        return records;
    }

    public static void Write(string path, IEnumerable<GenericRecord> records, AvroCodec codec = AvroCodec.Null)
    {
        using var writer = new AvroContainerWriter(File.Create(path), Schema, new AvroContainerWriterOptions { Codec = codec, BlockSize = 4096 });
        foreach (var record in records)
        {
            writer.Append(record);
        }
    }

    public static (List<object?> Records, string Codec, AvroSchema Schema) Read(string path)
    {
        using var reader = AvroContainerReader.Open(File.OpenRead(path));
        return ([.. reader.ReadAll()], reader.Codec, reader.WriterSchema);
    }

    private static GenericRecord NestedRecord(string label, double? score)
    {
        var nested = new GenericRecord(Nested);
        nested["label"] = label;
        nested["score"] = score;
        return nested;
    }

    private static DateTime Instant(int n, Random random, long unit, DateTimeKind kind) => n switch
    {
        0 => new DateTime(DateTime.MinValue.Ticks, kind),
        1 => new DateTime(DateTime.MaxValue.Ticks / unit * unit, kind),
        2 => new DateTime(1900, 1, 1, 0, 0, 0, 1, kind),
        3 => new DateTime(1970, 1, 1, 0, 0, 0, kind),
        _ => new DateTime(random.NextInt64(DateTime.MinValue.Ticks, DateTime.MaxValue.Ticks) / unit * unit, kind),
    };

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
