using System.Text.Json;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal;

/// <summary>Turns a field's JSON default into a generic value, as the specification's default-value table defines.</summary>
internal static class DefaultValues
{
    public static object? Parse(AvroSchema schema, JsonElement e, string path)
    {
        try
        {
            var value = Underlying(schema, e, path);
            return ApplyLogical(schema, value, path);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            throw new AvroSchemaException(path, $"the default value does not match the schema '{schema.DisplayName}'", ex);
        }
    }

    private static object? Underlying(AvroSchema schema, JsonElement e, string path)
    {
        switch (schema.Type)
        {
            case AvroType.Null:
                return e.ValueKind == JsonValueKind.Null ? null : Fail(schema, path);
            case AvroType.Boolean:
                return e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : Fail(schema, path);
            case AvroType.Int:
                return e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) ? i : Fail(schema, path);
            case AvroType.Long:
                return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out var l) ? l : Fail(schema, path);
            case AvroType.Float:
                return e.ValueKind == JsonValueKind.Number ? (float)e.GetDouble() : FloatSpecial(e, schema, path);
            case AvroType.Double:
                return e.ValueKind == JsonValueKind.Number ? e.GetDouble() : FloatSpecial(e, schema, path);
            case AvroType.String:
                return e.ValueKind == JsonValueKind.String ? e.GetString() : Fail(schema, path);
            case AvroType.Bytes:
                return e.ValueKind == JsonValueKind.String ? Latin1(e.GetString()!, schema, path) : Fail(schema, path);
            case AvroType.Fixed:
                var fs = (FixedSchema)schema;
                if (e.ValueKind != JsonValueKind.String)
                {
                    return Fail(schema, path);
                }

                var fb = Latin1(e.GetString()!, schema, path);
                return fb.Length == fs.Size ? new GenericFixed(fs, fb) : Fail(schema, path);
            case AvroType.Enum:
                var es = (EnumSchema)schema;
                return e.ValueKind == JsonValueKind.String && es.IndexOf(e.GetString()!) >= 0 ? new GenericEnum(es, e.GetString()!) : Fail(schema, path);
            case AvroType.Array:
                if (e.ValueKind != JsonValueKind.Array)
                {
                    return Fail(schema, path);
                }

                var items = ((ArraySchema)schema).Items;
                return e.EnumerateArray().Select((x, n) => Parse(items, x, $"{path}[{n}]")).ToList();
            case AvroType.Map:
                if (e.ValueKind != JsonValueKind.Object)
                {
                    return Fail(schema, path);
                }

                var values = ((MapSchema)schema).Values;
                return e.EnumerateObject().ToDictionary(p => p.Name, p => Parse(values, p.Value, path + "." + p.Name), StringComparer.Ordinal);
            case AvroType.Union:
                // The default of a union matches its first branch.
                return Parse(((UnionSchema)schema).Branches[0], e, path);
            case AvroType.Record:
                var rs = (RecordSchema)schema;
                if (e.ValueKind != JsonValueKind.Object)
                {
                    return Fail(schema, path);
                }

                var record = new GenericRecord(rs);
                foreach (var f in rs.Fields)
                {
                    if (e.TryGetProperty(f.Name, out var fv))
                    {
                        record[f.Position] = Parse(f.Schema, fv, path + "." + f.Name);
                    }
                    else if (f.HasDefault)
                    {
                        record[f.Position] = f.GetDefaultValue();
                    }
                    else
                    {
                        throw new AvroSchemaException(path, $"the default record has no value for field '{f.Name}', which has no default");
                    }
                }

                return record;
            default:
                return Fail(schema, path);
        }
    }

    private static object? ApplyLogical(AvroSchema schema, object? value, string path)
    {
        var ok = true;
        object? result = value;
        switch (schema.LogicalType)
        {
            case AvroLogicalType.Decimal:
                result = LogicalValues.DecimalFromBytes(value is GenericFixed f ? f.Value : (byte[])value!, schema.Scale);
                break;
            case AvroLogicalType.Uuid:
                ok = Guid.TryParse((string)value!, out var g);
                result = g;
                break;
            case AvroLogicalType.Date:
                ok = LogicalValues.TryDate((int)value!, out var d);
                result = d;
                break;
            case AvroLogicalType.TimeMillis:
                ok = LogicalValues.TryTime((int)value!, TimeSpan.TicksPerMillisecond, out var tm);
                result = tm;
                break;
            case AvroLogicalType.TimeMicros:
                ok = LogicalValues.TryTime((long)value!, TimeSpan.TicksPerMicrosecond, out var tu);
                result = tu;
                break;
            case AvroLogicalType.TimestampMillis:
            case AvroLogicalType.TimestampMicros:
            case AvroLogicalType.LocalTimestampMillis:
            case AvroLogicalType.LocalTimestampMicros:
                var tpu = schema.LogicalType is AvroLogicalType.TimestampMillis or AvroLogicalType.LocalTimestampMillis ? TimeSpan.TicksPerMillisecond : TimeSpan.TicksPerMicrosecond;
                var kind = schema.LogicalType is AvroLogicalType.TimestampMillis or AvroLogicalType.TimestampMicros ? DateTimeKind.Utc : DateTimeKind.Unspecified;
                ok = LogicalValues.TryTimestamp((long)value!, tpu, kind, out var ts);
                result = ts;
                break;
            default:
                break;
        }

        return ok ? result : throw new AvroSchemaException(path, $"the default value is out of range for logical type '{AvroSchema.LogicalTypeName(schema.LogicalType)}'");
    }

    private static object FloatSpecial(JsonElement e, AvroSchema schema, string path)
    {
        if (e.ValueKind == JsonValueKind.String)
        {
            var s = e.GetString();
            double? d = s switch { "NaN" => double.NaN, "Infinity" => double.PositiveInfinity, "-Infinity" => double.NegativeInfinity, _ => null };
            if (d is { } v)
            {
                return schema.Type == AvroType.Float ? (float)v : v;
            }
        }

        return Fail(schema, path);
    }

    private static byte[] Latin1(string s, AvroSchema schema, string path)
    {
        var bytes = new byte[s.Length];
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] > 0xff)
            {
                Fail(schema, path);
            }

            bytes[i] = (byte)s[i];
        }

        return bytes;
    }

    private static object Fail(AvroSchema schema, string path) =>
        throw new AvroSchemaException(path, $"the default value does not match the schema '{schema.DisplayName}'");
}
