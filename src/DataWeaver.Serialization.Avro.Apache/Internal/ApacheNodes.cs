using System.Collections;
using System.Numerics;
using Avro.Specific;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Schema;
using ApacheDecimal = Avro.AvroDecimal;
using ApacheEnum = Avro.Generic.GenericEnum;
using ApacheFixed = Avro.Generic.GenericFixed;
using ApacheRecord = Avro.Generic.GenericRecord;

namespace DataWeaver.Serialization.Avro.Apache.Internal;

/// <summary>
/// One schema node of a compiled plan that writes Apache.Avro's values (generic or specific) with DataWeaver's
/// <see cref="AvroWriter"/> and reads them with <see cref="AvroReader"/>: the bytes are DataWeaver's, the objects Apache's.
/// </summary>
internal abstract class ApacheNode
{
    protected ApacheNode(AvroSchema schema, string path)
    {
        Schema = schema;
        Path = path;
    }

    /// <summary>Gets the schema this node writes and reads.</summary>
    public AvroSchema Schema { get; }

    /// <summary>Gets the JSON path of the first place the node appears, for errors.</summary>
    public string Path { get; }

    /// <summary>Gets the smallest encoded size of a value.</summary>
    public virtual int MinSize => 1;

    public abstract void Write(ref AvroWriter writer, object? value);

    public abstract object? Read(ref AvroReader reader);

    protected AvroEncodingException Mismatch(object? value) =>
        new(Path, value is null ? $"null does not match {Schema.DisplayName}" : $"a {value.GetType().Name} does not match {Schema.DisplayName}");
}

internal sealed class NullNode(AvroSchema schema, string path) : ApacheNode(schema, path)
{
    public override int MinSize => 0;

    public override void Write(ref AvroWriter writer, object? value)
    {
        if (value is not null)
        {
            throw Mismatch(value);
        }
    }

    public override object? Read(ref AvroReader reader) => null;
}

internal sealed class BooleanNode(AvroSchema schema, string path) : ApacheNode(schema, path)
{
    private static readonly object True = true;
    private static readonly object False = false;

    public override void Write(ref AvroWriter writer, object? value) => writer.WriteBoolean(value is bool b ? b : throw Mismatch(value));

    public override object? Read(ref AvroReader reader) => reader.ReadBoolean() ? True : False;
}

internal sealed class IntNode(AvroSchema schema, string path) : ApacheNode(schema, path)
{
    public override void Write(ref AvroWriter writer, object? value) => writer.WriteInt(value is int i ? i : throw Mismatch(value));

    public override object? Read(ref AvroReader reader) => reader.ReadInt();
}

internal sealed class LongNode(AvroSchema schema, string path) : ApacheNode(schema, path)
{
    public override void Write(ref AvroWriter writer, object? value) => writer.WriteLong(value switch
    {
        long l => l,
        int i => i,
        _ => throw Mismatch(value),
    });

    public override object? Read(ref AvroReader reader) => reader.ReadLong();
}

internal sealed class FloatNode(AvroSchema schema, string path) : ApacheNode(schema, path)
{
    public override int MinSize => 4;

    public override void Write(ref AvroWriter writer, object? value) => writer.WriteFloat(value switch
    {
        float f => f,
        int i => i,
        long l => l,
        _ => throw Mismatch(value),
    });

    public override object? Read(ref AvroReader reader) => reader.ReadFloat();
}

internal sealed class DoubleNode(AvroSchema schema, string path) : ApacheNode(schema, path)
{
    public override int MinSize => 8;

    public override void Write(ref AvroWriter writer, object? value) => writer.WriteDouble(value switch
    {
        double d => d,
        float f => f,
        int i => i,
        long l => l,
        _ => throw Mismatch(value),
    });

    public override object? Read(ref AvroReader reader) => reader.ReadDouble();
}

internal sealed class BytesNode(AvroSchema schema, string path) : ApacheNode(schema, path)
{
    public override void Write(ref AvroWriter writer, object? value) => writer.WriteBytes(value is byte[] b ? b : throw Mismatch(value));

    public override object? Read(ref AvroReader reader) => reader.ReadBytes();
}

internal sealed class StringNode(AvroSchema schema, string path) : ApacheNode(schema, path)
{
    public override void Write(ref AvroWriter writer, object? value) => writer.WriteString(value is string s ? s : throw Mismatch(value));

    public override object? Read(ref AvroReader reader) => reader.ReadString();
}

/// <summary><c>decimal</c> on <c>bytes</c> or <c>fixed</c>: Apache's <see cref="ApacheDecimal"/> (a <see cref="decimal"/> is accepted when writing).</summary>
internal sealed class DecimalNode(AvroSchema schema, string path, int fixedSize) : ApacheNode(schema, path)
{
    public override int MinSize => fixedSize > 0 ? fixedSize : 1;

    public override void Write(ref AvroWriter writer, object? value)
    {
        if (value is ApacheFixed raw && fixedSize > 0 && raw.Value.Length == fixedSize)
        {
            // Apache.Avro's own writers take decimal-on-fixed only as the raw two's-complement bytes.
            writer.WriteFixed(raw.Value);
            return;
        }

        var (unscaled, scale) = value switch
        {
            ApacheDecimal d => (d.UnscaledValue, d.Scale),
            decimal m => (new ApacheDecimal(m).UnscaledValue, new ApacheDecimal(m).Scale),
            _ => throw Mismatch(value),
        };
        if (scale < Schema.Scale)
        {
            unscaled *= BigInteger.Pow(10, Schema.Scale - scale);
        }
        else if (scale > Schema.Scale)
        {
            var divisor = BigInteger.Pow(10, scale - Schema.Scale);
            var quotient = BigInteger.DivRem(unscaled, divisor, out var remainder);
            if (!remainder.IsZero)
            {
                throw new AvroEncodingException(Path, $"the decimal has scale {scale}, more than the schema's {Schema.Scale}");
            }

            unscaled = quotient;
        }

        var bytes = unscaled.ToByteArray(isUnsigned: false, isBigEndian: true);
        if (fixedSize == 0)
        {
            writer.WriteBytes(bytes);
            return;
        }

        if (bytes.Length > fixedSize)
        {
            throw new AvroEncodingException(Path, $"the decimal needs {bytes.Length} bytes, more than the fixed size {fixedSize}");
        }

        Span<byte> padded = stackalloc byte[fixedSize];
        padded[..(fixedSize - bytes.Length)].Fill(unscaled.Sign < 0 ? (byte)0xFF : (byte)0);
        bytes.CopyTo(padded[(fixedSize - bytes.Length)..]);
        writer.WriteFixed(padded);
    }

    public override object? Read(ref AvroReader reader)
    {
        var bytes = fixedSize == 0 ? reader.ReadBytesSpan() : reader.ReadFixed(fixedSize);
        return new ApacheDecimal(new BigInteger(bytes, isUnsigned: false, isBigEndian: true), Schema.Scale);
    }
}

/// <summary><c>uuid</c>: a <see cref="Guid"/> (a <see cref="string"/> is accepted when writing).</summary>
internal sealed class UuidNode(AvroSchema schema, string path) : ApacheNode(schema, path)
{
    public override void Write(ref AvroWriter writer, object? value)
    {
        switch (value)
        {
            case Guid g:
                Span<char> text = stackalloc char[36];
                g.TryFormat(text, out _, "D");
                writer.WriteString(text);
                break;
            case string s:
                writer.WriteString(s);
                break;
            default:
                throw Mismatch(value);
        }
    }

    public override object? Read(ref AvroReader reader)
    {
        var offset = reader.Offset;
        var text = reader.ReadString();
        return Guid.TryParse(text, out var g) ? g : throw new DeserializationException("avro", offset, $"'{text}' is not a uuid");
    }
}

/// <summary><c>date</c>: a <see cref="DateTime"/> at midnight (Apache's model; <see cref="DateOnly"/> accepted when writing).</summary>
internal sealed class DateNode(AvroSchema schema, string path) : ApacheNode(schema, path)
{
    public override void Write(ref AvroWriter writer, object? value) => writer.WriteInt(value switch
    {
        DateTime d => (int)((d.Date.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerDay),
        DateOnly d => d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber,
        _ => throw Mismatch(value),
    });

    public override object? Read(ref AvroReader reader)
    {
        var offset = reader.Offset;
        var days = reader.ReadInt();
        var ticks = DateTime.UnixEpoch.Ticks + (days * TimeSpan.TicksPerDay);
        return ticks >= 0 && ticks <= DateTime.MaxValue.Ticks
            ? new DateTime(ticks, DateTimeKind.Utc)
            : throw new DeserializationException("avro", offset, $"date {days} is out of range");
    }
}

/// <summary><c>time-millis</c> and <c>time-micros</c>: a <see cref="TimeSpan"/> (<see cref="TimeOnly"/> accepted when writing).</summary>
internal sealed class TimeNode(AvroSchema schema, string path, long ticksPerUnit) : ApacheNode(schema, path)
{
    public override void Write(ref AvroWriter writer, object? value)
    {
        var ticks = value switch
        {
            TimeSpan t => t.Ticks,
            TimeOnly t => t.Ticks,
            _ => throw Mismatch(value),
        };
        if (ticks < 0 || ticks >= TimeSpan.TicksPerDay)
        {
            throw new AvroEncodingException(Path, "a time of day must be at least 0 and under 24 hours");
        }

        writer.WriteLong(ticks / ticksPerUnit);
    }

    public override object? Read(ref AvroReader reader)
    {
        var offset = reader.Offset;
        var units = ticksPerUnit == TimeSpan.TicksPerMillisecond ? reader.ReadInt() : reader.ReadLong();
        return units >= 0 && units < TimeSpan.TicksPerDay / ticksPerUnit
            ? new TimeSpan(units * ticksPerUnit)
            : throw new DeserializationException("avro", offset, $"time {units} is not a time of day");
    }
}

/// <summary><c>timestamp-*</c> (UTC) and <c>local-timestamp-*</c> (no zone): a <see cref="DateTime"/> (<see cref="DateTimeOffset"/> accepted when writing).</summary>
internal sealed class TimestampNode(AvroSchema schema, string path, long ticksPerUnit, bool local) : ApacheNode(schema, path)
{
    public override void Write(ref AvroWriter writer, object? value)
    {
        var ticks = value switch
        {
            DateTime d when local => d.Ticks,
            DateTime d => d.Kind == DateTimeKind.Local ? d.ToUniversalTime().Ticks : d.Ticks,
            DateTimeOffset o when local => o.DateTime.Ticks,
            DateTimeOffset o => o.UtcTicks,
            _ => throw Mismatch(value),
        };
        writer.WriteLong((ticks - DateTime.UnixEpoch.Ticks) / ticksPerUnit);
    }

    public override object? Read(ref AvroReader reader)
    {
        var offset = reader.Offset;
        var units = reader.ReadLong();
        var min = (DateTime.MinValue.Ticks - DateTime.UnixEpoch.Ticks) / ticksPerUnit;
        var max = (DateTime.MaxValue.Ticks - DateTime.UnixEpoch.Ticks) / ticksPerUnit;
        return units >= min && units <= max
            ? new DateTime(DateTime.UnixEpoch.Ticks + (units * ticksPerUnit), local ? DateTimeKind.Unspecified : DateTimeKind.Utc)
            : throw new DeserializationException("avro", offset, $"timestamp {units} is out of range");
    }
}

/// <summary>A record: <see cref="ISpecificRecord"/> (by position) or Apache's <see cref="ApacheRecord"/> (by field name).</summary>
internal sealed class RecordNode(RecordSchema schema, string path, global::Avro.RecordSchema apacheSchema, Type? specificType) : ApacheNode(schema, path)
{
    private ApacheNode[] _fields = [];
    private SpecificField?[] _typed = [];
    private SpecificRead? _read;
    private int _minSize = -1;

    public override int MinSize
    {
        get
        {
            if (_minSize < 0)
            {
                _minSize = 0;
                _minSize = _fields.Sum(f => f.MinSize);
            }

            return _minSize;
        }
    }

    public void SetFields(ApacheNode[] fields, SpecificField?[] typed)
    {
        _fields = fields;
        _typed = typed;
        _read = specificType is null ? null : SpecificRecordReader.Emit(specificType, fields, typed);
    }

    public override void Write(ref AvroWriter writer, object? value)
    {
        var fields = _fields;
        var record = (RecordSchema)Schema;
        switch (value)
        {
            case ISpecificRecord specific:
                var typed = specific.GetType() == specificType ? _typed : null;
                for (var i = 0; i < fields.Length; i++)
                {
                    if (typed?[i] is { } field)
                    {
                        field.Write(ref writer, specific);
                    }
                    else
                    {
                        fields[i].Write(ref writer, specific.Get(i));
                    }
                }

                break;
            case ApacheRecord generic:
                for (var i = 0; i < fields.Length; i++)
                {
                    var name = record.Fields[i].Name;
                    if (!generic.TryGetValue(name, out var field))
                    {
                        throw new AvroEncodingException(fields[i].Path, $"the record has no value for field '{name}'");
                    }

                    fields[i].Write(ref writer, field);
                }

                break;
            default:
                throw Mismatch(value);
        }
    }

    public override object? Read(ref AvroReader reader)
    {
        reader.Enter();
        var fields = _fields;
        if (_read is not null)
        {
            var specific = _read(ref reader);
            reader.Leave();
            return specific;
        }

        var generic = new ApacheRecord(apacheSchema);
        for (var i = 0; i < fields.Length; i++)
        {
            generic.Add(i, fields[i].Read(ref reader));
        }

        reader.Leave();
        return generic;
    }
}

/// <summary>An enum: a generated C# enum (specific) or Apache's <see cref="ApacheEnum"/> (a symbol string is accepted when writing).</summary>
internal sealed class EnumNode : ApacheNode
{
    private readonly object[] _values;

    public EnumNode(EnumSchema schema, string path, global::Avro.EnumSchema apacheSchema, Type? enumType)
        : base(schema, path)
    {
        _values = enumType is null
            ? [.. schema.Symbols.Select(s => (object)new ApacheEnum(apacheSchema, s))]
            : [.. schema.Symbols.Select(s => Enum.Parse(enumType, s))];
    }

    public override void Write(ref AvroWriter writer, object? value)
    {
        var symbol = value switch
        {
            ApacheEnum e => e.Value,
            string s => s,
            Enum e => e.ToString(),
            _ => throw Mismatch(value),
        };
        var index = ((EnumSchema)Schema).IndexOf(symbol);
        if (index < 0)
        {
            throw new AvroEncodingException(Path, $"'{symbol}' is not a symbol of {Schema.DisplayName}");
        }

        writer.WriteEnum(index);
    }

    public override object? Read(ref AvroReader reader) => _values[reader.ReadEnum(_values.Length)];
}

/// <summary>A fixed: a generated <see cref="SpecificFixed"/> or Apache's <see cref="ApacheFixed"/> (a <see cref="byte"/> array is accepted when writing).</summary>
internal sealed class FixedNode(FixedSchema schema, string path, global::Avro.FixedSchema apacheSchema, Func<object>? create) : ApacheNode(schema, path)
{
    public override int MinSize => schema.Size;

    public override void Write(ref AvroWriter writer, object? value)
    {
        var bytes = value switch
        {
            ApacheFixed f => f.Value,
            byte[] b => b,
            _ => throw Mismatch(value),
        };
        if (bytes.Length != schema.Size)
        {
            throw new AvroEncodingException(Path, $"{bytes.Length} bytes do not fit fixed {schema.FullName} of size {schema.Size}");
        }

        writer.WriteFixed(bytes);
    }

    public override object? Read(ref AvroReader reader)
    {
        var bytes = reader.ReadFixed(schema.Size).ToArray();
        if (create is null)
        {
            return new ApacheFixed(apacheSchema, bytes);
        }

        var value = (ApacheFixed)create();
        value.Value = bytes;
        return value;
    }
}

/// <summary>An array: any <see cref="IEnumerable"/> when writing; <c>object[]</c> (generic) or <c>List&lt;T&gt;</c> (specific) when reading.</summary>
internal sealed class ArrayNode(ArraySchema schema, string path, ApacheNode items, Func<object>? createList) : ApacheNode(schema, path)
{
    public override void Write(ref AvroWriter writer, object? value)
    {
        if (value is null or string or byte[] or not IEnumerable)
        {
            throw Mismatch(value);
        }

        if (value is ICollection collection)
        {
            if (collection.Count > 0)
            {
                writer.WriteBlockCount(collection.Count);
                foreach (var item in collection)
                {
                    items.Write(ref writer, item);
                }
            }
        }
        else
        {
            var all = ((IEnumerable)value).Cast<object?>().ToList();
            if (all.Count > 0)
            {
                writer.WriteBlockCount(all.Count);
                foreach (var item in all)
                {
                    items.Write(ref writer, item);
                }
            }
        }

        writer.WriteBlockCount(0);
    }

    public override object? Read(ref AvroReader reader)
    {
        reader.Enter();
        var list = createList is null ? new List<object?>() : (IList)createList();
        var minSize = items.MinSize;
        while (true)
        {
            var count = reader.ReadBlockCount(out _);
            if (count == 0)
            {
                break;
            }

            reader.CheckBlock(count, minSize, ApacheNodes.MaxZeroSizeItems);
            for (var i = 0L; i < count; i++)
            {
                list.Add(items.Read(ref reader));
            }
        }

        reader.Leave();
        return createList is null ? ((List<object?>)list).ToArray() : list;
    }
}

/// <summary>A map: any <see cref="IDictionary"/> with string keys when writing; <c>Dictionary&lt;string, T&gt;</c> when reading.</summary>
internal sealed class MapNode(MapSchema schema, string path, ApacheNode values, Func<object> createMap) : ApacheNode(schema, path)
{
    public override void Write(ref AvroWriter writer, object? value)
    {
        if (value is not IDictionary map)
        {
            throw Mismatch(value);
        }

        if (map.Count > 0)
        {
            writer.WriteBlockCount(map.Count);
            var e = map.GetEnumerator();
            while (e.MoveNext())
            {
                writer.WriteString(e.Key as string ?? throw new AvroEncodingException(Path, "map keys must be strings"));
                values.Write(ref writer, e.Value);
            }
        }

        writer.WriteBlockCount(0);
    }

    public override object? Read(ref AvroReader reader)
    {
        reader.Enter();
        var map = (IDictionary)createMap();
        while (true)
        {
            var count = reader.ReadBlockCount(out _);
            if (count == 0)
            {
                break;
            }

            reader.CheckBlock(count, 1, ApacheNodes.MaxZeroSizeItems);
            for (var i = 0L; i < count; i++)
            {
                var key = reader.ReadString();
                map[key] = values.Read(ref reader);
            }
        }

        reader.Leave();
        return map;
    }
}

/// <summary>A union: the branch is chosen by the value's type, as Apache.Avro's writers do.</summary>
internal sealed class UnionNode(UnionSchema schema, string path, ApacheNode[] branches) : ApacheNode(schema, path)
{
    private readonly int _nullIndex = schema.Branches.ToList().FindIndex(b => b.Type == AvroType.Null);

    public override void Write(ref AvroWriter writer, object? value)
    {
        int index;
        if (value is null)
        {
            index = _nullIndex >= 0 ? _nullIndex : throw Mismatch(value);
        }
        else if (branches.Length == 2 && _nullIndex >= 0)
        {
            index = 1 - _nullIndex;
        }
        else
        {
            index = FindBranch(value);
        }

        writer.WriteUnionIndex(index);
        branches[index].Write(ref writer, value);
    }

    public override object? Read(ref AvroReader reader) => branches[reader.ReadUnionIndex(branches.Length)].Read(ref reader);

    /// <summary>The first branch that takes the value (a loop, not a lambda: a captured value would allocate on every write).</summary>
    private int FindBranch(object value)
    {
        for (var i = 0; i < branches.Length; i++)
        {
            if (ApacheNodes.Matches(branches[i].Schema, value))
            {
                return i;
            }
        }

        throw Mismatch(value);
    }
}

/// <summary>Helpers shared by the nodes.</summary>
internal static class ApacheNodes
{
    /// <summary>The most items that take no bytes accepted in one record, as DataWeaver's own reader.</summary>
    public const long MaxZeroSizeItems = 1_000_000;

    /// <summary>Whether a union branch takes <paramref name="value"/> (never null here).</summary>
    public static bool Matches(AvroSchema branch, object value) => (branch.LogicalType, branch.Type) switch
    {
        (AvroLogicalType.Decimal, _) => value is ApacheDecimal or decimal,
        (AvroLogicalType.Uuid, _) => value is Guid,
        (AvroLogicalType.Date, _) => value is DateTime or DateOnly,
        (AvroLogicalType.TimeMillis or AvroLogicalType.TimeMicros, _) => value is TimeSpan or TimeOnly,
        (AvroLogicalType.TimestampMillis or AvroLogicalType.TimestampMicros or AvroLogicalType.LocalTimestampMillis or AvroLogicalType.LocalTimestampMicros, _) => value is DateTime or DateTimeOffset,
        (_, AvroType.Boolean) => value is bool,
        (_, AvroType.Int) => value is int,
        (_, AvroType.Long) => value is long or int,
        (_, AvroType.Float) => value is float,
        (_, AvroType.Double) => value is double or float,
        (_, AvroType.Bytes) => value is byte[],
        (_, AvroType.String) => value is string,
        (_, AvroType.Record) => value switch
        {
            ISpecificRecord s => s.Schema.Fullname == ((NamedSchema)branch).FullName,
            ApacheRecord g => g.Schema.Fullname == ((NamedSchema)branch).FullName,
            _ => false,
        },
        (_, AvroType.Enum) => value switch
        {
            ApacheEnum e => e.Schema.Fullname == ((NamedSchema)branch).FullName,
            Enum e => e.GetType().Name == ((NamedSchema)branch).Name,
            _ => false,
        },
        (_, AvroType.Fixed) => value is ApacheFixed f && f.Schema.Fullname == ((NamedSchema)branch).FullName,
        (_, AvroType.Map) => value is IDictionary,
        (_, AvroType.Array) => value is IEnumerable and not string and not byte[] and not IDictionary,
        _ => false,
    };
}
