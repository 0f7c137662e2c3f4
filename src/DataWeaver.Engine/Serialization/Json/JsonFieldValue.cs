using System.Text.Json;

namespace DataWeaver.Serialization.Json;

/// <summary>A value a <see cref="JsonRecordTransform"/> sets: a string, a number, a boolean, null, or any JSON value given as text. Immutable.</summary>
public sealed class JsonFieldValue
{
    private readonly JsonValueKind _kind;
    private readonly string? _string;
    private readonly long _int64;
    private readonly double _double;
    private readonly decimal _decimal;
    private readonly byte[]? _raw;
    private readonly byte _numberKind;

    private JsonFieldValue(JsonValueKind kind, string? text = null, long int64 = 0, double @double = 0, decimal @decimal = 0, byte[]? raw = null, byte numberKind = 0)
    {
        _kind = kind;
        _string = text;
        _int64 = int64;
        _double = @double;
        _decimal = @decimal;
        _raw = raw;
        _numberKind = numberKind;
    }

    /// <summary>Gets the JSON <c>null</c>.</summary>
    public static JsonFieldValue Null { get; } = new(JsonValueKind.Null);

    /// <summary>Gets the kind of value.</summary>
    public JsonValueKind Kind => _kind;

    /// <summary>Converts a string (see <see cref="FromString"/>).</summary>
    /// <param name="value">The string; <see langword="null"/> becomes JSON <c>null</c>.</param>
    public static implicit operator JsonFieldValue(string? value) => FromString(value);

    /// <summary>Converts an integer (see <see cref="FromInt64"/>).</summary>
    /// <param name="value">The integer.</param>
    public static implicit operator JsonFieldValue(long value) => FromInt64(value);

    /// <summary>Converts a floating-point number (see <see cref="FromDouble"/>).</summary>
    /// <param name="value">The number; finite.</param>
    public static implicit operator JsonFieldValue(double value) => FromDouble(value);

    /// <summary>Converts a decimal number (see <see cref="FromDecimal"/>).</summary>
    /// <param name="value">The number.</param>
    public static implicit operator JsonFieldValue(decimal value) => FromDecimal(value);

    /// <summary>Converts a boolean (see <see cref="FromBoolean"/>).</summary>
    /// <param name="value">The boolean.</param>
    public static implicit operator JsonFieldValue(bool value) => FromBoolean(value);

    /// <summary>Creates a string value.</summary>
    /// <param name="value">The string; <see langword="null"/> gives <see cref="Null"/>.</param>
    /// <returns>The value.</returns>
    public static JsonFieldValue FromString(string? value) => value is null ? Null : new(JsonValueKind.String, text: value);

    /// <summary>Creates an integer value.</summary>
    /// <param name="value">The integer.</param>
    /// <returns>The value.</returns>
    public static JsonFieldValue FromInt64(long value) => new(JsonValueKind.Number, int64: value, numberKind: 0);

    /// <summary>Creates a floating-point value, written in its shortest round-trip form.</summary>
    /// <param name="value">The number; NaN and infinities have no JSON form.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The number is NaN or infinite.</exception>
    public static JsonFieldValue FromDouble(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, "JSON has no NaN or infinity.");
        }

        return new(JsonValueKind.Number, @double: value, numberKind: 1);
    }

    /// <summary>Creates a decimal value.</summary>
    /// <param name="value">The number.</param>
    /// <returns>The value.</returns>
    public static JsonFieldValue FromDecimal(decimal value) => new(JsonValueKind.Number, @decimal: value, numberKind: 2);

    /// <summary>Creates <c>true</c> or <c>false</c>.</summary>
    /// <param name="value">The boolean.</param>
    /// <returns>The value.</returns>
    public static JsonFieldValue FromBoolean(bool value) => new(value ? JsonValueKind.True : JsonValueKind.False);

    /// <summary>Creates a value from JSON text (an object, an array, any value), checked once and written as it is.</summary>
    /// <param name="json">The JSON text of exactly one value.</param>
    /// <returns>The value.</returns>
    /// <exception cref="ArgumentException">The text is not exactly one valid JSON value.</exception>
    public static JsonFieldValue FromJson(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        var bytes = System.Text.Encoding.UTF8.GetBytes(json);
        JsonValueKind kind;
        try
        {
            var reader = new Utf8JsonReader(bytes);
            using var document = JsonDocument.ParseValue(ref reader);
            kind = document.RootElement.ValueKind;
            if (reader.Read())
            {
                throw new JsonException("More than one JSON value.");
            }
        }
        catch (JsonException exception)
        {
            throw new ArgumentException($"Not one valid JSON value: {exception.Message}", nameof(json), exception);
        }

        return new JsonFieldValue(kind, raw: bytes);
    }

    internal void WriteTo(Utf8JsonWriter writer)
    {
        if (_raw is not null)
        {
            writer.WriteRawValue(_raw, skipInputValidation: true);
            return;
        }

        switch (_kind)
        {
            case JsonValueKind.String:
                writer.WriteStringValue(_string);
                break;
            case JsonValueKind.Number when _numberKind == 0:
                writer.WriteNumberValue(_int64);
                break;
            case JsonValueKind.Number when _numberKind == 1:
                writer.WriteNumberValue(_double);
                break;
            case JsonValueKind.Number:
                writer.WriteNumberValue(_decimal);
                break;
            case JsonValueKind.True:
                writer.WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                writer.WriteBooleanValue(false);
                break;
            default:
                writer.WriteNullValue();
                break;
        }
    }
}
