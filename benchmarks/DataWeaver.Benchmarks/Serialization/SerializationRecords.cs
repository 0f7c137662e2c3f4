using System.Text.Json;
using System.Text.Json.Serialization;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Benchmarks.Serialization;

/// <summary>The JSON benchmark record: 115 bytes of camelCase JSON.</summary>
public sealed record Trade(long Id, string Symbol, double Price, int Quantity, bool IsBuy, DateTime Timestamp, string Venue)
{
    public static Trade Sample { get; } = new(123_456_789, "MSFT", 412.37, 250, true, new DateTime(2025, 1, 15, 10, 30, 0, DateTimeKind.Utc), "XNAS");
}

/// <summary>Source-generated metadata for <see cref="Trade"/>, web defaults (camelCase).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Trade))]
public sealed partial class BenchmarkJsonContext : JsonSerializerContext;

public enum Side
{
    Buy,
    Sell,
}

/// <summary>The Avro benchmark record: 10 fields, 49 bytes encoded.</summary>
public sealed record AvroTrade(long Id, int Quantity, double Price, float Fee, bool IsBuy, string Symbol, string Venue, long TimestampMicros, Side Side, string? Note)
{
    public static AvroSchema Schema { get; } = AvroSchema.Parse("""
        {"type":"record","name":"Trade","namespace":"bench","fields":[
          {"name":"id","type":"long"},
          {"name":"quantity","type":"int"},
          {"name":"price","type":"double"},
          {"name":"fee","type":"float"},
          {"name":"isBuy","type":"boolean"},
          {"name":"symbol","type":"string"},
          {"name":"venue","type":"string"},
          {"name":"timestampMicros","type":"long"},
          {"name":"side","type":{"type":"enum","name":"Side","symbols":["Buy","Sell"]}},
          {"name":"note","type":["null","string"]}]}
        """);

    public static AvroTrade Sample { get; } = new(123_456_789, 250, 412.37, 0.25f, true, "MSFT", "XNAS", 1_736_937_000_000_000, Side.Buy, "block");

    public static GenericRecord GenericSample { get; } = new((RecordSchema)Schema)
    {
        ["id"] = Sample.Id,
        ["quantity"] = Sample.Quantity,
        ["price"] = Sample.Price,
        ["fee"] = Sample.Fee,
        ["isBuy"] = Sample.IsBuy,
        ["symbol"] = Sample.Symbol,
        ["venue"] = Sample.Venue,
        ["timestampMicros"] = Sample.TimestampMicros,
        ["side"] = "Buy",
        ["note"] = Sample.Note,
    };
}
