using System.Collections;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Internal.Typed;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal.Writing;

/// <summary>Writes generic values, and typed objects through compiled accessors, in a schema's binary encoding.</summary>
internal static class ValueWriter
{
    public static void Write(ref AvroWriter w, AvroSchema schema, object? value)
    {
        switch (schema.Type)
        {
            case AvroType.Null:
                if (value is not null)
                {
                    Mismatch(schema, value);
                }

                return;
            case AvroType.Boolean:
                w.WriteBoolean(value is bool b ? b : Mismatch<bool>(schema, value));
                return;
            case AvroType.Int:
                w.WriteInt(ToInt(schema, value));
                return;
            case AvroType.Long:
                w.WriteLong(ToLong(schema, value));
                return;
            case AvroType.Float:
                w.WriteFloat(value switch
                {
                    float f => f,
                    double d => (float)d,
                    int i => i,
                    long l => l,
                    _ => Mismatch<float>(schema, value),
                });
                return;
            case AvroType.Double:
                w.WriteDouble(value switch
                {
                    double d => d,
                    float f => f,
                    int i => i,
                    long l => l,
                    _ => Mismatch<double>(schema, value),
                });
                return;
            case AvroType.Bytes:
                WriteBytes(ref w, schema, value);
                return;
            case AvroType.String:
                switch (value)
                {
                    case string s:
                        w.WriteString(s);
                        return;
                    case Guid g when schema.LogicalType == AvroLogicalType.Uuid:
                        Span<char> chars = stackalloc char[36];
                        g.TryFormat(chars, out _, "D");
                        w.WriteString(chars);
                        return;
                    default:
                        Mismatch(schema, value);
                        return;
                }

            case AvroType.Fixed:
                WriteFixed(ref w, (FixedSchema)schema, value);
                return;
            case AvroType.Enum:
                WriteEnum(ref w, (EnumSchema)schema, value);
                return;
            case AvroType.Array:
                WriteArray(ref w, (ArraySchema)schema, value);
                return;
            case AvroType.Map:
                WriteMap(ref w, (MapSchema)schema, value);
                return;
            case AvroType.Union:
                var union = (UnionSchema)schema;
                var index = UnionBranch.Select(union, value);
                if (index < 0)
                {
                    ThrowHelper.ThrowEncoding("$", $"no branch of union [{string.Join(", ", union.Branches.Select(x => x.DisplayName))}] accepts a value of type {value?.GetType().Name ?? "null"}");
                }

                w.WriteUnionIndex(index);
                Write(ref w, union.Branches[index], value);
                return;
            default:
                WriteRecord(ref w, (RecordSchema)schema, value);
                return;
        }
    }

    private static int ToInt(AvroSchema schema, object? value) => value switch
    {
        int i => i,
        short s => s,
        byte b => b,
        sbyte sb => sb,
        ushort us => us,
        DateOnly d when schema.LogicalType == AvroLogicalType.Date => LogicalValues.ToDays(d),
        TimeOnly t when schema.LogicalType == AvroLogicalType.TimeMillis => (int)(t.Ticks / TimeSpan.TicksPerMillisecond),
        TimeSpan t when schema.LogicalType == AvroLogicalType.TimeMillis && t >= TimeSpan.Zero && t.Ticks < TimeSpan.TicksPerDay => (int)(t.Ticks / TimeSpan.TicksPerMillisecond),
        _ => Mismatch<int>(schema, value),
    };

    private static long ToLong(AvroSchema schema, object? value)
    {
        switch (schema.LogicalType)
        {
            case AvroLogicalType.TimeMicros when value is TimeOnly t:
                return t.Ticks / TimeSpan.TicksPerMicrosecond;
            case AvroLogicalType.TimeMicros when value is TimeSpan t && t >= TimeSpan.Zero && t.Ticks < TimeSpan.TicksPerDay:
                return t.Ticks / TimeSpan.TicksPerMicrosecond;
            case AvroLogicalType.TimestampMillis when value is DateTime or DateTimeOffset:
                return LogicalValues.FromInstant(value, TimeSpan.TicksPerMillisecond);
            case AvroLogicalType.TimestampMicros when value is DateTime or DateTimeOffset:
                return LogicalValues.FromInstant(value, TimeSpan.TicksPerMicrosecond);
            case AvroLogicalType.LocalTimestampMillis when value is DateTime or DateTimeOffset:
                return LogicalValues.FromLocal(value, TimeSpan.TicksPerMillisecond);
            case AvroLogicalType.LocalTimestampMicros when value is DateTime or DateTimeOffset:
                return LogicalValues.FromLocal(value, TimeSpan.TicksPerMicrosecond);
            default:
                return value switch
                {
                    long l => l,
                    int i => i,
                    uint ui => ui,
                    short s => s,
                    ushort us => us,
                    byte b => b,
                    sbyte sb => sb,
                    _ => Mismatch<long>(schema, value),
                };
        }
    }

    private static void WriteBytes(ref AvroWriter w, AvroSchema schema, object? value)
    {
        switch (value)
        {
            case byte[] bytes:
                w.WriteBytes(bytes);
                return;
            case ReadOnlyMemory<byte> rom:
                w.WriteBytes(rom.Span);
                return;
            case Memory<byte> mem:
                w.WriteBytes(mem.Span);
                return;
            case ArraySegment<byte> seg:
                w.WriteBytes(seg);
                return;
            case decimal or AvroDecimal when schema.LogicalType == AvroLogicalType.Decimal:
                if (!LogicalValues.TryGetUnscaled(value, schema.Scale, out var unscaled))
                {
                    ThrowHelper.ThrowEncoding("$", $"decimal {value} has more digits after the point than the scale {schema.Scale}");
                }

                w.WriteBytes(unscaled.ToByteArray(isUnsigned: false, isBigEndian: true));
                return;
            default:
                Mismatch(schema, value);
                return;
        }
    }

    private static void WriteFixed(ref AvroWriter w, FixedSchema schema, object? value)
    {
        ReadOnlySpan<byte> bytes;
        switch (value)
        {
            case GenericFixed f:
                bytes = f.Value;
                break;
            case byte[] b:
                bytes = b;
                break;
            case decimal or AvroDecimal when schema.LogicalType == AvroLogicalType.Decimal:
                if (!LogicalValues.TryGetUnscaled(value, schema.Scale, out var unscaled))
                {
                    ThrowHelper.ThrowEncoding("$", $"decimal {value} has more digits after the point than the scale {schema.Scale}");
                }

                var buffer = new byte[schema.Size];
                if (unscaled.GetByteCount() > schema.Size)
                {
                    ThrowHelper.ThrowEncoding("$", $"decimal {value} does not fit {schema.Size} bytes");
                }

                buffer.AsSpan().Fill(unscaled.Sign < 0 ? (byte)0xff : (byte)0);
                var n = unscaled.GetByteCount();
                unscaled.TryWriteBytes(buffer.AsSpan(schema.Size - n), out _, isUnsigned: false, isBigEndian: true);
                bytes = buffer;
                break;
            default:
                Mismatch(schema, value);
                return;
        }

        if (bytes.Length != schema.Size)
        {
            ThrowHelper.ThrowEncoding("$", $"fixed '{schema.FullName}' holds {schema.Size} bytes, the value has {bytes.Length}");
        }

        w.WriteFixed(bytes);
    }

    private static void WriteEnum(ref AvroWriter w, EnumSchema schema, object? value)
    {
        var symbol = value switch
        {
            GenericEnum e => e.Symbol,
            string s => s,
            Enum e => EnumNames.Get(e),
            _ => Mismatch<string>(schema, value),
        };
        var index = schema.IndexOf(symbol);
        if (index < 0)
        {
            ThrowHelper.ThrowEncoding("$", $"'{symbol}' is not a symbol of enum '{schema.FullName}'");
        }

        w.WriteEnum(index);
    }

    private static void WriteArray(ref AvroWriter w, ArraySchema schema, object? value)
    {
        if (value is null or string or IDictionary || value is not IEnumerable items)
        {
            Mismatch(schema, value);
            return;
        }

        if (value is IList list)
        {
            if (list.Count > 0)
            {
                w.WriteBlockCount(list.Count);
                for (var i = 0; i < list.Count; i++)
                {
                    WriteItem(ref w, schema.Items, list[i], i);
                }
            }
        }
        else
        {
            var buffered = items.Cast<object?>().ToList();
            if (buffered.Count > 0)
            {
                w.WriteBlockCount(buffered.Count);
                for (var i = 0; i < buffered.Count; i++)
                {
                    WriteItem(ref w, schema.Items, buffered[i], i);
                }
            }
        }

        w.WriteBlockCount(0);
    }

    private static void WriteItem(ref AvroWriter w, AvroSchema schema, object? item, int index)
    {
        try
        {
            Write(ref w, schema, item);
        }
        catch (AvroEncodingException ex)
        {
            throw new AvroEncodingException($"$[{index}]" + ex.Path[1..], ex.Reason);
        }
    }

    private static void WriteMap(ref AvroWriter w, MapSchema schema, object? value)
    {
        if (value is not IDictionary map)
        {
            Mismatch(schema, value);
            return;
        }

        if (map.Count > 0)
        {
            w.WriteBlockCount(map.Count);
            var e = map.GetEnumerator();
            while (e.MoveNext())
            {
                if (e.Key is not string key)
                {
                    ThrowHelper.ThrowEncoding("$", "map keys must be strings");
                    return;
                }

                w.WriteString(key);
                try
                {
                    Write(ref w, schema.Values, e.Value);
                }
                catch (AvroEncodingException ex)
                {
                    throw new AvroEncodingException($"$[\"{key}\"]" + ex.Path[1..], ex.Reason);
                }
            }
        }

        w.WriteBlockCount(0);
    }

    private static void WriteRecord(ref AvroWriter w, RecordSchema schema, object? value)
    {
        if (value is GenericRecord record)
        {
            if (ReferenceEquals(record.Schema, schema))
            {
                for (var i = 0; i < schema.Fields.Count; i++)
                {
                    WriteField(ref w, schema, i, record[i]);
                }

                return;
            }

            if (record.Schema.FullName != schema.FullName)
            {
                Mismatch(schema, value);
            }

            for (var i = 0; i < schema.Fields.Count; i++)
            {
                var f = schema.Fields[i];
                var v = record.TryGetValue(f.Name, out var found) ? found : f.HasDefault ? f.GetDefaultValue() : null;
                WriteField(ref w, schema, i, v);
            }

            return;
        }

        if (value is null)
        {
            Mismatch(schema, value);
            return;
        }

        var getters = TypedAccessors.Get(value.GetType(), schema);
        for (var i = 0; i < getters.Length; i++)
        {
            var v = getters[i] is { } get ? get(value) : schema.Fields[i].GetDefaultValue();
            WriteField(ref w, schema, i, v);
        }
    }

    private static void WriteField(ref AvroWriter w, RecordSchema schema, int index, object? value)
    {
        try
        {
            Write(ref w, schema.Fields[index].Schema, value);
        }
        catch (AvroEncodingException ex)
        {
            throw new AvroEncodingException("$." + schema.Fields[index].Name + ex.Path[1..], ex.Reason);
        }
    }

    private static void Mismatch(AvroSchema schema, object? value) => Mismatch<int>(schema, value);

    private static T Mismatch<T>(AvroSchema schema, object? value)
    {
        ThrowHelper.ThrowEncoding("$", $"a value of type {value?.GetType().Name ?? "null"} cannot be written as '{schema.DisplayName}'{(schema.LogicalType != AvroLogicalType.None ? " (" + AvroSchema.LogicalTypeName(schema.LogicalType) + ")" : string.Empty)}");
        return default!;
    }
}
