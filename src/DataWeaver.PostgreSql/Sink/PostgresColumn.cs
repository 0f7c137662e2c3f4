using System.Globalization;
using System.Text.Json;
using DataWeaver.Serialization.Json;
using NpgsqlTypes;

namespace DataWeaver.PostgreSql.Sink;

/// <summary>A column the sink writes: its name, its type, and the conversion of a record's field into a value of that type.</summary>
internal sealed class PostgresColumn
{
    private static readonly Dictionary<string, (NpgsqlDbType Type, Type Clr)> Scalars = new(StringComparer.Ordinal)
    {
        ["int2"] = (NpgsqlDbType.Smallint, typeof(short)),
        ["int4"] = (NpgsqlDbType.Integer, typeof(int)),
        ["int8"] = (NpgsqlDbType.Bigint, typeof(long)),
        ["float4"] = (NpgsqlDbType.Real, typeof(float)),
        ["float8"] = (NpgsqlDbType.Double, typeof(double)),
        ["numeric"] = (NpgsqlDbType.Numeric, typeof(decimal)),
        ["bool"] = (NpgsqlDbType.Boolean, typeof(bool)),
        ["text"] = (NpgsqlDbType.Text, typeof(string)),
        ["varchar"] = (NpgsqlDbType.Varchar, typeof(string)),
        ["bpchar"] = (NpgsqlDbType.Char, typeof(string)),
        ["name"] = (NpgsqlDbType.Name, typeof(string)),
        ["citext"] = (NpgsqlDbType.Citext, typeof(string)),
        ["json"] = (NpgsqlDbType.Json, typeof(string)),
        ["jsonb"] = (NpgsqlDbType.Jsonb, typeof(string)),
        ["uuid"] = (NpgsqlDbType.Uuid, typeof(Guid)),
        ["timestamptz"] = (NpgsqlDbType.TimestampTz, typeof(DateTime)),
        ["timestamp"] = (NpgsqlDbType.Timestamp, typeof(DateTime)),
        ["date"] = (NpgsqlDbType.Date, typeof(DateOnly)),
        ["time"] = (NpgsqlDbType.Time, typeof(TimeOnly)),
        ["bytea"] = (NpgsqlDbType.Bytea, typeof(byte[])),
    };

    private readonly string _type;
    private readonly Type _clr;
    private readonly bool _array;

    private PostgresColumn(string name, string type, bool array, NpgsqlDbType dbType, Type clr)
    {
        Name = name;
        _type = type;
        _array = array;
        _clr = clr;
        DbType = array ? NpgsqlDbType.Array | dbType : dbType;
    }

    /// <summary>Gets the column's name, which is also the record field read.</summary>
    public string Name { get; }

    /// <summary>Gets the type the value is written as.</summary>
    public NpgsqlDbType DbType { get; }

    /// <summary>Gets the column's type for messages (<c>int8</c>, <c>text[]</c>).</summary>
    public string TypeName => _array ? _type + "[]" : _type;

    /// <summary>The types the sink writes (their pg_type names), for messages.</summary>
    public static string SupportedTypes => string.Join(", ", Scalars.Keys) + " and arrays of them";

    /// <summary>The column of a pg_type name (<paramref name="elementType"/> set for arrays), or <see langword="null"/> when the sink cannot write it.</summary>
    public static PostgresColumn? Create(string name, string type, string? elementType)
    {
        var array = elementType is not null;
        var scalar = elementType ?? type;
        return Scalars.TryGetValue(scalar, out var known) ? new PostgresColumn(name, scalar, array, known.Type, known.Clr) : null;
    }

    /// <summary>
    /// The value of this column in <paramref name="record"/>: <see cref="DBNull.Value"/> for a missing or null field.
    /// A field that does not convert is a data error of the record (a <see cref="Errors.DataWeaverException"/> naming the column).
    /// </summary>
    public object Read(JsonRecord record)
    {
        if (!record.TryGetField(Name, out var field) || field.Kind == JsonValueKind.Null)
        {
            return DBNull.Value;
        }

        try
        {
            return _array ? ReadArray(field) : Convert(field, _type, _clr);
        }
        catch (Exception error) when (error is FormatException or OverflowException or JsonException or InvalidOperationException or ArgumentException)
        {
            PostgresErrors.ThrowData($"The field '{Name}' does not convert to the column's type {TypeName}: {error.Message}");
            return null;
        }
    }

    private Array ReadArray(JsonField field)
    {
        if (field.Kind != JsonValueKind.Array)
        {
            throw new FormatException($"a JSON array was expected, not {field.Kind}.");
        }

        using var document = JsonDocument.Parse(field.RawValue);
        var elements = document.RootElement;
        var elementType = _clr.IsValueType ? typeof(Nullable<>).MakeGenericType(_clr) : _clr;
        var array = Array.CreateInstance(elementType, elements.GetArrayLength());
        var i = 0;
        foreach (var element in elements.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.Null)
            {
                // Each element as the field of a record of its own, so elements convert exactly as fields do.
                JsonRecord.Parse("{\"v\":" + element.GetRawText() + "}").TryGetField("v", out var item);
                array.SetValue(Convert(item, _type, _clr), i);
            }

            i++;
        }

        return array;
    }

    private static object Convert(JsonField field, string type, Type clr)
    {
        switch (type)
        {
            case "json" or "jsonb":
                return field.ToString();
            case "bool":
                return field.TryGetBoolean(out var flag) ? flag : throw new FormatException($"true or false was expected, not {field}.");
        }

        if (clr == typeof(string))
        {
            return field.Kind == JsonValueKind.String && field.TryGetString(out var s) ? s : field.ToString();
        }

        if (clr == typeof(short) || clr == typeof(int) || clr == typeof(long))
        {
            if (field.Kind != JsonValueKind.Number || !field.TryGetInt64(out var integer))
            {
                throw new FormatException($"an integer was expected, not {field}.");
            }

            return clr == typeof(long) ? integer : clr == typeof(int) ? checked((int)integer) : checked((short)integer);
        }

        if (clr == typeof(double) || clr == typeof(float))
        {
            if (!field.TryGetDouble(out var real))
            {
                throw new FormatException($"a number was expected, not {field}.");
            }

            return clr == typeof(double) ? real : (float)real;
        }

        if (clr == typeof(decimal))
        {
            return field.Kind == JsonValueKind.Number && field.TryGetDecimal(out var number) ? number : throw new FormatException($"a number was expected, not {field}.");
        }

        var text = field.Kind == JsonValueKind.String && field.TryGetString(out var value) ? value : throw new FormatException($"a string was expected, not {field}.");
        return type switch
        {
            "uuid" => Guid.Parse(text),
            "timestamptz" => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).UtcDateTime,
            "timestamp" => DateTime.SpecifyKind(DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal), DateTimeKind.Unspecified),
            "date" => DateOnly.Parse(text, CultureInfo.InvariantCulture),
            "time" => TimeOnly.Parse(text, CultureInfo.InvariantCulture),
            "bytea" => System.Convert.FromBase64String(text),
            _ => throw new InvalidOperationException($"the type {type} is not written by the sink."),
        };
    }
}
