using System.Buffers;
using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using DataWeaver.Serialization.Json;
using Npgsql;

namespace DataWeaver.PostgreSql.Source;

/// <summary>
/// Turns rows into JSON records, one field per column by the column's type: numbers as JSON numbers (<c>numeric</c>
/// exactly, up to the 28 digits of <see cref="decimal"/>), <c>boolean</c> as true/false, <c>json</c> and <c>jsonb</c>
/// embedded as JSON, <c>timestamptz</c> as UTC ISO-8601 with <c>Z</c>, <c>timestamp</c> without a zone, <c>date</c> as
/// <c>yyyy-MM-dd</c>, <c>uuid</c> as its text, <c>bytea</c> as base64, arrays as JSON arrays, SQL NULL as null, anything
/// else as its text.
/// </summary>
internal sealed class PostgresRowDecoder : IDisposable
{
    /// <summary>Arrays whose elements are value types, read with nullable elements.</summary>
    private static readonly Dictionary<string, Type> ValueArrays = new(StringComparer.Ordinal)
    {
        ["smallint[]"] = typeof(short),
        ["integer[]"] = typeof(int),
        ["bigint[]"] = typeof(long),
        ["numeric[]"] = typeof(decimal),
        ["real[]"] = typeof(float),
        ["double precision[]"] = typeof(double),
        ["boolean[]"] = typeof(bool),
        ["uuid[]"] = typeof(Guid),
        ["date[]"] = typeof(DateOnly),
        ["timestamp without time zone[]"] = typeof(DateTime),
        ["timestamp with time zone[]"] = typeof(DateTime),
    };

    private static readonly ConcurrentDictionary<Type, Func<NpgsqlDataReader, int, object>> NullableArrays = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(256);
    private readonly Utf8JsonWriter _writer;
    private Column[] _columns = [];

    public PostgresRowDecoder()
    {
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }

    internal enum Kind
    {
        Json,
        Timestamp,
        TimestampTz,
        Date,
        Time,
        Other,
    }

    public void Dispose() => _writer.Dispose();

    /// <summary>How values of a type (an array's element type) are written.</summary>
    internal static Kind KindOf(string element) => element switch
    {
        "json" or "jsonb" => Kind.Json,
        "timestamp without time zone" => Kind.Timestamp,
        "timestamp with time zone" => Kind.TimestampTz,
        "date" => Kind.Date,
        "time without time zone" => Kind.Time,
        _ => Kind.Other,
    };

    /// <summary>The type of nullable elements an array type is read as, when its elements are value types.</summary>
    internal static Type? NullableArrayElement(string type) => ValueArrays.GetValueOrDefault(type);

    /// <summary>Learns the columns of a result (once per query shape).</summary>
    public void Describe(NpgsqlDataReader reader)
    {
        var columns = new Column[reader.FieldCount];
        for (var i = 0; i < columns.Length; i++)
        {
            var type = reader.GetDataTypeName(i);
            var element = type.EndsWith("[]", StringComparison.Ordinal) ? type[..^2] : type;
            var kind = KindOf(element);
            var arrayOfValues = ValueArrays.TryGetValue(type, out var item)
                ? NullableArrays.GetOrAdd(item, static item => typeof(PostgresRowDecoder).GetMethod(nameof(ReadNullableArray), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(item).CreateDelegate<Func<NpgsqlDataReader, int, object>>())
                : null;
            columns[i] = new Column(JsonEncodedText.Encode(reader.GetName(i), System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping), kind, type, arrayOfValues);
        }

        _columns = columns;
    }

    /// <summary>The current row as a record of its own memory.</summary>
    public JsonRecord Decode(NpgsqlDataReader reader)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        _writer.WriteStartObject();
        for (var i = 0; i < _columns.Length; i++)
        {
            var column = _columns[i];
            _writer.WritePropertyName(column.Name);
            if (reader.IsDBNull(i))
            {
                _writer.WriteNullValue();
                continue;
            }

            object value;
            try
            {
                value = column.ReadArray is { } readArray ? readArray(reader, i)
                    : column.Kind == Kind.Date && !column.Type.EndsWith("[]", StringComparison.Ordinal) ? reader.GetFieldValue<DateOnly>(i)
                    : reader.GetValue(i);
            }
            catch (Exception error) when (error is InvalidCastException or OverflowException)
            {
                PostgresErrors.ThrowFatal($"The column '{column.Name}' ({column.Type}) holds a value the source cannot read ({error.Message}); cast it in a query (for example to text).");
                return default;
            }

            WriteValue(_writer, value, column.Kind);
        }

        _writer.WriteEndObject();
        _writer.Flush();
        return JsonRecord.CreateUnchecked(_buffer.WrittenSpan.ToArray());
    }

    /// <summary>Writes a value Npgsql read as JSON (see the class).</summary>
    internal static void WriteValue(Utf8JsonWriter writer, object value, Kind kind)
    {
        switch (value)
        {
            case DBNull:
                writer.WriteNullValue();
                break;
            case string text when kind == Kind.Json:
                writer.WriteRawValue(text, skipInputValidation: true);
                break;
            case string text:
                writer.WriteStringValue(text);
                break;
            case bool flag:
                writer.WriteBooleanValue(flag);
                break;
            case short n:
                writer.WriteNumberValue(n);
                break;
            case int n:
                writer.WriteNumberValue(n);
                break;
            case long n:
                writer.WriteNumberValue(n);
                break;
            case decimal n:
                writer.WriteNumberValue(n);
                break;
            case float n when float.IsFinite(n):
                writer.WriteNumberValue(n);
                break;
            case double n when double.IsFinite(n):
                writer.WriteNumberValue(n);
                break;
            case DateTime time when kind == Kind.TimestampTz:
                writer.WriteStringValue(time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture));
                break;
            case DateTime time when kind == Kind.Date:
                writer.WriteStringValue(time.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case DateTime time:
                writer.WriteStringValue(time.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF", CultureInfo.InvariantCulture));
                break;
            case DateOnly date:
                writer.WriteStringValue(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                break;
            case TimeSpan time when kind == Kind.Time:
                writer.WriteStringValue(time.ToString(@"hh\:mm\:ss\.FFFFFF", CultureInfo.InvariantCulture).TrimEnd('.'));
                break;
            case Guid id:
                writer.WriteStringValue(id);
                break;
            case byte[] bytes:
                writer.WriteBase64StringValue(bytes);
                break;
            case IEnumerable items and not string:
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    WriteValue(writer, item ?? DBNull.Value, kind);
                }

                writer.WriteEndArray();
                break;
            default:
                writer.WriteStringValue(Convert.ToString(value, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>An array of a value type read with nullable elements (SQL arrays may hold NULLs).</summary>
    private static T?[] ReadNullableArray<T>(NpgsqlDataReader reader, int ordinal)
        where T : struct => reader.GetFieldValue<T?[]>(ordinal);

    private readonly record struct Column(JsonEncodedText Name, Kind Kind, string Type, Func<NpgsqlDataReader, int, object>? ReadArray);
}
