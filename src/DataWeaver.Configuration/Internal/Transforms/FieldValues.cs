using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>Conversions between configuration values, record fields and the values transforms write.</summary>
internal static class FieldValues
{
    /// <summary>The value a constant in the file stands for.</summary>
    public static JsonFieldValue FromConfig(ConfigValue value) => value.Kind switch
    {
        ConfigValueKind.Null => JsonFieldValue.Null,
        ConfigValueKind.String => Encoded(value.Text),
        ConfigValueKind.Boolean => JsonFieldValue.FromBoolean(value.Text == "true"),
        ConfigValueKind.Integer when value.TryGetInt64(out var integer) => JsonFieldValue.FromInt64(integer),
        ConfigValueKind.Integer or ConfigValueKind.Number when value.TryGetDecimal(out var number) => JsonFieldValue.FromDecimal(number),
        ConfigValueKind.Integer or ConfigValueKind.Number when value.TryGetDouble(out var real) => JsonFieldValue.FromDouble(real),
        _ => JsonFieldValue.FromJson(value.ToJson(revealSecrets: true)),
    };

    /// <summary>
    /// A string value written many times (a constant of the file, a time stamp shared by a millisecond's records): held as
    /// its JSON text, escaped once as a transform's writer escapes it, so that writing it is a copy.
    /// </summary>
    public static JsonFieldValue Encoded(string? text)
    {
        if (text is null)
        {
            return JsonFieldValue.Null;
        }

        try
        {
            return JsonFieldValue.FromJson("\"" + JsonEncodedText.Encode(text, JavaScriptEncoder.UnsafeRelaxedJsonEscaping).Value + "\"");
        }
        catch (ArgumentException)
        {
            return JsonFieldValue.FromString(text); // not valid UTF-16: the writer decides, as before
        }
    }

    /// <summary>A copy of a field's value.</summary>
    public static JsonFieldValue FromField(in JsonField field) => field.Kind switch
    {
        JsonValueKind.String when field.TryGetString(out var text) => JsonFieldValue.FromString(text),
        JsonValueKind.Number when field.TryGetInt64(out var integer) => JsonFieldValue.FromInt64(integer),
        JsonValueKind.Number when field.TryGetDecimal(out var number) => JsonFieldValue.FromDecimal(number),
        JsonValueKind.True => JsonFieldValue.FromBoolean(true),
        JsonValueKind.False => JsonFieldValue.FromBoolean(false),
        JsonValueKind.Null => JsonFieldValue.Null,
        _ => JsonFieldValue.FromJson(Encoding.UTF8.GetString(field.RawValue.Span)),
    };

    /// <summary>A field's value as text: a string unquoted, anything else as its JSON text.</summary>
    public static string Text(in JsonField field) =>
        field.Kind == JsonValueKind.String && field.TryGetString(out var text) ? text : Encoding.UTF8.GetString(field.RawValue.Span);

    /// <summary>A field's value as a decimal: a number, or a string holding one.</summary>
    public static bool TryGetDecimal(in JsonField field, out decimal value)
    {
        value = 0;
        return field.Kind switch
        {
            JsonValueKind.Number => field.TryGetDecimal(out value) || (field.TryGetDouble(out var d) && TryDecimal(d, out value)),
            JsonValueKind.String => field.TryGetString(out var text) && decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value),
            _ => false,
        };
    }

    private static bool TryDecimal(double d, out decimal value)
    {
        value = 0;
        if (double.IsNaN(d) || Math.Abs(d) > (double)decimal.MaxValue)
        {
            return false;
        }

        value = (decimal)d;
        return true;
    }
}
