using System.Buffers;
using System.Text;
using System.Text.Json.Serialization;
using DataWeaver.Buffers;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

// snippet: json-typed-context
public sealed record Shipment(string Id, int Parcels);

[JsonSerializable(typeof(Shipment))]
public sealed partial class ShipmentJsonContext : JsonSerializerContext;
// end snippet

public sealed class SerializationDocsExamples
{
    [Fact]
    public void TypedJson_SourceGenerated_RoundTrips()
    {
        // snippet: json-typed-usage
        var serializer = new JsonRecordSerializer<Shipment>(ShipmentJsonContext.Default.Shipment);
        var deserializer = new JsonRecordDeserializer<Shipment>(ShipmentJsonContext.Default.Shipment);

        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(new Shipment("s-1", 3), buffer);        // {"Id":"s-1","Parcels":3}
        var back = deserializer.Deserialize(buffer.WrittenSpan);
        // end snippet

        Assert.Equal("""{"Id":"s-1","Parcels":3}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Equal(new Shipment("s-1", 3), back);
    }

    [Fact]
    public void JsonRecord_ReadFields_Exact()
    {
        byte[] line = """{"id":"o-1","total":12.5,"customer":{"name":"Ada","address":{"city":"Paris"}}}"""u8.ToArray();

        // snippet: json-record-read
        var city = JsonFieldPath.Parse("customer.address.city");       // encode once, at configuration time

        var record = JsonRecord.Parse(line);                             // validates; borrows the bytes
        record.TryGetDecimal("total", out var total);                    // 12.5
        Span<char> buffer = stackalloc char[64];
        record.TryGetString(city, buffer, out var length);               // buffer[..length] is "Paris"
        var isAda = record.TryGetField("customer.name", out var name)
            && name.ValueEquals("Ada"u8);                                // compares UTF-8, no string made
        var kept = record.Detach();                                      // a copy that outlives the source buffer
        // end snippet

        Assert.Equal(12.5m, total);
        Assert.Equal("Paris", buffer[..length].ToString());
        Assert.True(isAda);
        Assert.Equal(record.ToString(), kept.ToString());
    }

    [Fact]
    public void JsonRecord_ParseWithFields_Exact()
    {
        ReadOnlyMemory<byte> line = """{"id":7,"user":"u-7","amount":12.5,"qty":3}"""u8.ToArray();

        // snippet: json-record-parse-fields
        JsonFieldPath[] paths = [JsonFieldPath.Parse("id"), JsonFieldPath.Parse("amount"), JsonFieldPath.Parse("user")]; // once
        var fields = new JsonField[paths.Length];                         // or an InlineArray on the stack

        var record = JsonRecord.Parse(line, paths, fields, out var found); // validates and locates in one pass
        fields[0].TryGetInt64(out var id);                                // 7
        fields[1].TryGetDouble(out var amount);                           // 12.5
        fields[2].TryGetString(out var user);                             // "u-7"
        // end snippet

        Assert.Equal(3, found);
        Assert.Equal((7L, 12.5, "u-7"), (id, amount, user));
        Assert.Equal(line.Length, record.Utf8.Length);
    }

    [Fact]
    public void JsonRecord_TransformUpdate_Exact()
    {
        var record = JsonRecord.Parse("""{"id":7,"amount":12.5,"qty":3}""");
        using var output = new PooledBufferWriter();

        // snippet: json-record-update
        var transform = JsonRecordTransform.CreateBuilder()
            .Update(JsonFieldPath.Parse("amount"), static (amount, writer) =>
            {
                if (!amount.TryGetDouble(out var value))
                {
                    return false;                                        // not a number: kept as it is
                }

                writer.WriteNumberValue(value * 2);                      // the new value, in place
                return true;
            })
            .Rename("qty", "quantity")
            .Build();

        transform.Apply(record, output);                                 // {"id":7,"amount":25,"quantity":3}
        // end snippet

        Assert.Equal("""{"id":7,"amount":25,"quantity":3}""", Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void JsonRecord_Transform_Exact()
    {
        var record = JsonRecord.Parse("""{"id":"o-1","cust":{"name":"Ada"},"secret":"pw"}""");
        using var output = new PooledBufferWriter();

        // snippet: json-record-transform
        var transform = JsonRecordTransform.CreateBuilder()
            .Set("status", "shipped")
            .Set("cust.tier", "gold")
            .Rename("cust", "customer")
            .Drop("secret")
            .Build();                                                    // once; immutable and thread-safe

        transform.Apply(record, output);                                 // into a pooled buffer, no allocation
        var owned = transform.Apply(record);                             // or a new record owning its bytes
        // {"id":"o-1","customer":{"name":"Ada","tier":"gold"},"status":"shipped"}
        // end snippet

        const string expected = """{"id":"o-1","customer":{"name":"Ada","tier":"gold"},"status":"shipped"}""";
        Assert.Equal(expected, Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.Equal(expected, owned.ToString());
    }

    [Fact]
    public void Registry_CustomAndErrors_Exact()
    {
        // snippet: serialization-registry
        var registry = SerializerRegistry.CreateBuilder()                // json, raw, utf8
            .Replace("json", SerializerFactories.Json(ShipmentJsonContext.Default.Options))
            .Register("lines", SerializerFactories.ForType<string>(new LineSerializer(), null))
            .Build();

        var json = registry.CreateDeserializer<Shipment>("json");
        var records = registry.CreateDeserializer<JsonRecord>("json", new Dictionary<string, string> { ["maxRecordBytes"] = "65536" });
        var text = registry.CreateSerializer<string>("lines");

        try
        {
            registry.CreateSerializer<Shipment>("xml");
        }
        catch (SerializerConfigurationException e)
        {
            Console.WriteLine(e.Message);
            // Unknown serialization format 'xml' for type 'Shipment'. Registered formats: json, lines, raw, utf8.
        }
        // end snippet

        Assert.NotNull(json);
        Assert.NotNull(records);
        Assert.IsType<LineSerializer>(text);
        var error = Assert.Throws<SerializerConfigurationException>(() => registry.CreateSerializer<Shipment>("xml"));
        Assert.Equal("Unknown serialization format 'xml' for type 'Shipment'. Registered formats: json, lines, raw, utf8.", error.Message);
    }

    [Fact]
    public void Errors_BadRecord_Exact()
    {
        // snippet: json-errors
        try
        {
            JsonRecord.Parse("""{"id":"o-1","total":}""");
        }
        catch (DeserializationException e)                                // a data error: dead-letter or skip
        {
            Console.WriteLine($"{e.Format} @{e.Offset}: {e.Reason}");
            // json @20: '}' is an invalid start of a value.
        }
        // end snippet

        var error = Assert.Throws<DeserializationException>(() => JsonRecord.Parse("""{"id":"o-1","total":}"""));
        Assert.Equal("json @20: '}' is an invalid start of a value.", $"{error.Format} @{error.Offset}: {error.Reason}");
    }

    private sealed class LineSerializer : IRecordSerializer<string>
    {
        public string Format => "lines";

        public void Serialize(in string value, IBufferWriter<byte> writer)
        {
            Encoding.UTF8.GetBytes(value, writer);
            writer.Write("\n"u8);
        }
    }
}
