using System.Buffers;
using System.Text.Json;
using DataWeaver.Perf.Workloads.W3Ndjson;
using DataWeaver.Perf.Workloads.W4Protobuf.Messages;
using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;
using Google.Protobuf;

namespace DataWeaver.Perf.Workloads.W4Protobuf;

/// <summary>W4's conversions from a JSON order to a <see cref="ProtoOrder"/>, and the length-delimited write.</summary>
internal static class ProtoOrders
{
    private static readonly JsonFieldPath Id = JsonFieldPath.Parse("id");
    private static readonly JsonFieldPath User = JsonFieldPath.Parse("user");
    private static readonly JsonFieldPath Ts = JsonFieldPath.Parse("ts");
    private static readonly JsonFieldPath Country = JsonFieldPath.Parse("country");
    private static readonly JsonFieldPath Amount = JsonFieldPath.Parse("amount");

    /// <summary>The six fields DataWeaver's pipeline locates in one pass (<see cref="JsonRecord.GetFields"/>).</summary>
    private static readonly JsonFieldPath[] Fields = [Id, User, Amount, OrderJson.QtyPath, Country, Ts];

    /// <summary>The generic peers' step: one field read per field on DataWeaver's <see cref="JsonRecord"/>.</summary>
    public static ProtoOrder FromRecord(JsonRecord order)
    {
        var ok = order.TryGetInt64(Id, out var id)
            & order.TryGetField(User, out var user)
            & order.TryGetDouble(Amount, out var amount)
            & order.TryGetInt64(OrderJson.QtyPath, out var qty)
            & order.TryGetField(Country, out var country)
            & order.TryGetInt64(Ts, out var ts);
        if (!ok || !user.TryGetString(out var userText) || !country.TryGetString(out var countryText))
        {
            throw new JsonException("An order with a missing field.");
        }

        return new ProtoOrder { Id = id, User = userText, Amount = amount, Qty = (int)qty, Country = countryText, Ts = ts };
    }

    /// <summary>Only locates the six fields (W4's step probe).</summary>
    public static int LocateFields(JsonRecord order)
    {
        var buffer = default(SixFields);
        return order.GetFields(Fields, buffer);
    }

    /// <summary>The six fields located in one pass over a parsed record, then read.</summary>
    public static ProtoOrder FromRecordFields(JsonRecord order)
    {
        var buffer = default(SixFields);
        Span<JsonField> fields = buffer;
        return FromFields(order.GetFields(Fields, fields), fields);
    }

    /// <summary>DataWeaver's step: the line validated and its six fields located in the same pass, then read.</summary>
    public static ProtoOrder FromLine(ReadOnlyMemory<byte> line)
    {
        var buffer = default(SixFields);
        Span<JsonField> fields = buffer;
        JsonRecord.Parse(line, Fields, fields, out var found);
        return FromFields(found, fields);
    }

    /// <summary>Only validates the line and locates the six fields (W4's step probe).</summary>
    public static int ParseLocatingFields(ReadOnlyMemory<byte> line)
    {
        var buffer = default(SixFields);
        JsonRecord.Parse(line, Fields, buffer, out var found);
        return found;
    }

    private static ProtoOrder FromFields(int found, ReadOnlySpan<JsonField> fields)
    {
        var ok = found == 6
            & fields[0].TryGetInt64(out var id)
            & fields[2].TryGetDouble(out var amount)
            & fields[3].TryGetInt64(out var qty)
            & fields[5].TryGetInt64(out var ts);
        if (!ok || !fields[1].TryGetString(out var userText) || !fields[4].TryGetString(out var countryText))
        {
            throw new JsonException("An order with a missing field.");
        }

        return new ProtoOrder { Id = id, User = userText, Amount = amount, Qty = (int)qty, Country = countryText, Ts = ts };
    }

    /// <summary>raw-loop's step: one <see cref="Utf8JsonReader"/> pass straight into the message.</summary>
    public static ProtoOrder FromJson(ReadOnlySpan<byte> line)
    {
        var reader = new Utf8JsonReader(line);
        var order = new ProtoOrder();
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.ValueSpan;
            reader.Read();
            switch (name)
            {
                case var _ when name.SequenceEqual("id"u8): order.Id = reader.GetInt64(); break;
                case var _ when name.SequenceEqual("user"u8): order.User = reader.GetString(); break;
                case var _ when name.SequenceEqual("amount"u8): order.Amount = reader.GetDouble(); break;
                case var _ when name.SequenceEqual("qty"u8): order.Qty = reader.GetInt32(); break;
                case var _ when name.SequenceEqual("country"u8): order.Country = reader.GetString(); break;
                case var _ when name.SequenceEqual("ts"u8): order.Ts = reader.GetInt64(); break;
                default: reader.Skip(); break;
            }
        }

        return order;
    }

    /// <summary>jsonserializer-object's step: the typed object, then the message.</summary>
    public static ProtoOrder FromObject(ReadOnlySpan<byte> line)
    {
        var order = JsonSerializer.Deserialize(line, OrderJsonContext.Default.OrderIn)!;
        return new ProtoOrder { Id = order.Id, User = order.User, Amount = order.Amount, Qty = order.Qty, Country = order.Country, Ts = order.Ts };
    }

    /// <summary>A varint length, then the message (what <c>WriteDelimitedTo</c> writes), straight into the buffer.</summary>
    public static void WriteDelimited(ProtoOrder order, IBufferWriter<byte> output)
    {
        var size = order.CalculateSize();
        var span = output.GetSpan(5);
        var length = 0;
        var value = (uint)size;
        while (value >= 0x80)
        {
            span[length++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[length++] = (byte)value;
        output.Advance(length);
        order.WriteTo(output);
    }
}

/// <summary>Room for W4's six fields on the stack.</summary>
[System.Runtime.CompilerServices.InlineArray(6)]
internal struct SixFields
{
    private JsonField _first;
}

/// <summary>DataWeaver's W4 step as a struct operator: parse and locate in one pass (<see cref="ProtoOrders.FromLine"/>).</summary>
internal readonly struct LineToProto : IMapOperator<ReadOnlyMemory<byte>, ProtoOrder>
{
    public ProtoOrder Map(ReadOnlyMemory<byte> value) => ProtoOrders.FromLine(value);
}
