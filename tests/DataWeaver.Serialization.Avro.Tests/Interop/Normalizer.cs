using System.Globalization;
using System.Text.Json.Nodes;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Tests.Interop;

/// <summary>Turns generic values into the JSON shape interop.py prints, so the two sides compare exactly.</summary>
internal static class Normalizer
{
    private const long EpochTicks = 621355968000000000L;

    public static JsonNode? Normalize(AvroSchema schema, object? value)
    {
        if (schema is UnionSchema u)
        {
            // The JSON shape does not depend on the branch, except for local timestamps.
            var branch = u.Branches.FirstOrDefault(b => b.LogicalType is AvroLogicalType.LocalTimestampMillis or AvroLogicalType.LocalTimestampMicros) ?? u.Branches[0];
            return value is GenericRecord r ? Normalize(u.Branches.First(b => b is RecordSchema rs && rs.FullName == r.Schema.FullName), value) : Normalize(value is DateTime ? branch : u.Branches[0], value);
        }

        switch (value)
        {
            case null: return null;
            case bool b: return b;
            case int i: return i;
            case long l: return l;
            case float f: return (double)f;
            case double d: return d;
            case string s: return s;
            case byte[] bytes: return new JsonObject { ["$bytes"] = Convert.ToHexString(bytes).ToLowerInvariant() };
            case GenericFixed fx: return new JsonObject { ["$bytes"] = Convert.ToHexString(fx.Value).ToLowerInvariant() };
            case GenericEnum e: return e.Symbol;
            case decimal m: return new JsonObject { ["$dec"] = m.ToString(CultureInfo.InvariantCulture) };
            case AvroDecimal a: return new JsonObject { ["$dec"] = a.ToString() };
            case Guid g: return g.ToString();
            case DateOnly date: return new JsonObject { ["$date"] = date.DayNumber - 719162 };
            case TimeOnly t: return new JsonObject { ["$time"] = t.Ticks / 10 };
            case DateTime dt when schema.LogicalType == AvroLogicalType.LocalTimestampMillis: return (dt.Ticks - EpochTicks) / 10_000;
            case DateTime dt when schema.LogicalType == AvroLogicalType.LocalTimestampMicros: return (dt.Ticks - EpochTicks) / 10;
            case DateTime dt: return new JsonObject { ["$ts"] = (dt.Ticks - EpochTicks) / 10 };
            case GenericRecord r:
                var o = new JsonObject();
                foreach (var f in r.Schema.Fields)
                {
                    o[f.Name] = Normalize(f.Schema, r[f.Position]);
                }

                return o;
            case IList<object?> list:
                return new JsonArray(list.Select(x => Normalize(((ArraySchema)schema).Items, x)).ToArray());
            case IDictionary<string, object?> map:
                var mo = new JsonObject();
                foreach (var (k, v) in map)
                {
                    mo[k] = Normalize(((MapSchema)schema).Values, v);
                }

                return mo;
            default:
                throw new InvalidOperationException("unexpected " + value.GetType());
        }
    }

    public static void AssertJsonEqual(JsonNode? expected, JsonNode? actual) =>
        Assert.True(JsonNode.DeepEquals(expected, actual), $"expected {expected?.ToJsonString()}\nactual   {actual?.ToJsonString()}");
}
