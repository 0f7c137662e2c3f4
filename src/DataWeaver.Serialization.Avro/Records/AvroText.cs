using System.Globalization;
using System.Numerics;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Records;

/// <summary>
/// The text forms of Avro values that JSON lines and CSV share (docs/formats.md, "Avro"): logical types as
/// ISO-8601, decimals as decimal strings, uuids as strings, bytes and fixed as base64, enums as their symbol, float and
/// double NaN and infinities as <c>"NaN"</c>, <c>"Infinity"</c>, <c>"-Infinity"</c>.
/// </summary>
public static class AvroText
{
    private const string Date = "yyyy-MM-dd";
    private const string TimeParse = "HH:mm:ss.FFFFFFF";
    private const string LocalParse = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF";
    private const string InstantParse = "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK";

    /// <summary>Formats a float: the shortest text that reads back to the same value, or a name for NaN and the infinities.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string FormatFloat(float value) => float.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : NonFinite(value);

    /// <summary>Formats a double: the shortest text that reads back to the same value, or a name for NaN and the infinities.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public static string FormatDouble(double value) => double.IsFinite(value) ? value.ToString("R", CultureInfo.InvariantCulture) : NonFinite(value);

    /// <summary>Formats the value of a logical type (uuid, date, times, timestamps, decimal) as text.</summary>
    /// <param name="schema">The schema, with its logical type.</param>
    /// <param name="value">The generic value.</param>
    /// <param name="text">The text, when the value belongs to the logical type.</param>
    /// <returns><see langword="true"/> when it does.</returns>
    public static bool TryFormatLogical(AvroSchema schema, object? value, out string text)
    {
        var logical = schema.LogicalType;
        text = (logical, value) switch
        {
            (AvroLogicalType.Uuid, Guid g) => g.ToString("D"),
            (AvroLogicalType.Date, DateOnly d) => d.ToString(Date, CultureInfo.InvariantCulture),
            (AvroLogicalType.TimeMillis, TimeOnly t) => t.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture),
            (AvroLogicalType.TimeMicros, TimeOnly t) => t.ToString("HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
            (AvroLogicalType.TimestampMillis, DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            (AvroLogicalType.TimestampMicros, DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
            (AvroLogicalType.LocalTimestampMillis, DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.fff", CultureInfo.InvariantCulture),
            (AvroLogicalType.LocalTimestampMicros, DateTime t) => t.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff", CultureInfo.InvariantCulture),
            (AvroLogicalType.Decimal, decimal d) => d.ToString(CultureInfo.InvariantCulture),
            (AvroLogicalType.Decimal, AvroDecimal d) => d.ToString(),
            _ => null!,
        };
        return text is not null;
    }

    /// <summary>
    /// Reads the text form of a value whose JSON form is a string: strings, uuids, bytes and fixed (base64), enums
    /// (symbols), decimals, dates, times, timestamps, and the names of NaN and the infinities for float and double.
    /// </summary>
    /// <param name="schema">A schema that is not a union.</param>
    /// <param name="text">The text.</param>
    /// <param name="value">The generic value, when the text fits.</param>
    /// <param name="failure">Why it does not fit.</param>
    /// <returns><see langword="true"/> when the text fits the schema.</returns>
    public static bool TryParse(AvroSchema schema, string text, out object? value, out MappingFailure? failure)
    {
        failure = null;
        value = (schema.Type, schema.LogicalType) switch
        {
            (_, AvroLogicalType.Decimal) => ParseDecimal(schema, text, ref failure),
            (AvroType.String, AvroLogicalType.Uuid) => Guid.TryParseExact(text, "D", out var g) ? g : Fail(ref failure, "a uuid (8-4-4-4-12 hexadecimal digits)", text),
            (AvroType.String, _) => text,
            (AvroType.Bytes, _) => Base64(text, -1, ref failure),
            (AvroType.Fixed, _) => Base64(text, ((FixedSchema)schema).Size, ref failure) is byte[] b ? new GenericFixed((FixedSchema)schema, b) : null,
            (AvroType.Enum, _) => ((EnumSchema)schema).IndexOf(text) >= 0 ? new GenericEnum((EnumSchema)schema, text) : Fail(ref failure, $"a symbol of enum '{((EnumSchema)schema).FullName}' ({string.Join(", ", ((EnumSchema)schema).Symbols)})", text),
            (AvroType.Int, AvroLogicalType.Date) => DateOnly.TryParseExact(text, Date, CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : Fail(ref failure, "a date (yyyy-MM-dd)", text),
            (AvroType.Int, AvroLogicalType.TimeMillis) or (AvroType.Long, AvroLogicalType.TimeMicros) =>
                TimeOnly.TryParseExact(text, TimeParse, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : Fail(ref failure, "a time of day (HH:mm:ss.ffffff)", text),
            (AvroType.Long, AvroLogicalType.TimestampMillis or AvroLogicalType.TimestampMicros) => ParseInstant(text, ref failure),
            (AvroType.Long, AvroLogicalType.LocalTimestampMillis or AvroLogicalType.LocalTimestampMicros) =>
                !HasOffset(text) && DateTime.TryParseExact(text, LocalParse, CultureInfo.InvariantCulture, DateTimeStyles.None, out var local)
                    ? local
                    : Fail(ref failure, "a local date and time without offset (yyyy-MM-ddTHH:mm:ss.ffffff)", text),
            (AvroType.Float, _) => NonFiniteValue(text) is { } f ? (float)f : Fail(ref failure, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")", text),
            (AvroType.Double, _) => NonFiniteValue(text) is { } f ? f : Fail(ref failure, "a number (or \"NaN\", \"Infinity\", \"-Infinity\")", text),
            _ => Fail(ref failure, Describe(schema), text),
        };
        return failure is null;
    }

    /// <summary>Names a schema for messages: its type, logical type and name.</summary>
    /// <param name="schema">The schema.</param>
    /// <returns>The text, e.g. <c>long (timestamp-millis)</c>.</returns>
    public static string Describe(AvroSchema schema) => schema.LogicalType == AvroLogicalType.None
        ? schema.DisplayName
        : $"{schema.DisplayName} ({LogicalName(schema.LogicalType)})";

    /// <summary>The specification's name of a logical type: the enum member in kebab case (<c>LocalTimestampMillis</c> is <c>local-timestamp-millis</c>).</summary>
    private static string LogicalName(AvroLogicalType type) => string.Concat(type.ToString().Select((c, i) => char.IsUpper(c) && i > 0 ? "-" + char.ToLowerInvariant(c) : char.ToLowerInvariant(c).ToString()));

    private static string NonFinite(double value) => double.IsNaN(value) ? "NaN" : value > 0 ? "Infinity" : "-Infinity";

    private static double? NonFiniteValue(string text) => text switch
    {
        "NaN" => double.NaN,
        "Infinity" => double.PositiveInfinity,
        "-Infinity" => double.NegativeInfinity,
        _ => null,
    };

    private static object? ParseInstant(string text, ref MappingFailure? failure) =>
        HasOffset(text) && DateTimeOffset.TryParseExact(text, InstantParse, CultureInfo.InvariantCulture, DateTimeStyles.None, out var instant)
            ? instant.UtcDateTime
            : Fail(ref failure, "a date and time with Z or an offset (yyyy-MM-ddTHH:mm:ss.ffffffZ)", text);

    /// <summary>Whether an ISO-8601 date and time ends with <c>Z</c> or a <c>+hh:mm</c>/<c>-hh:mm</c> offset.</summary>
    private static bool HasOffset(string text) =>
        text.EndsWith('Z') || (text.Length > 6 && text[^3] == ':' && text[^6] is '+' or '-' && text.IndexOf('T', StringComparison.Ordinal) is > 0 and var t && t < text.Length - 6);

    private static byte[]? Base64(string text, int size, ref MappingFailure? failure)
    {
        var bytes = new byte[(text.Length * 3 / 4) + 3];
        if (!System.Convert.TryFromBase64String(text, bytes, out var length))
        {
            return (byte[]?)Fail(ref failure, "base64", text);
        }

        if (size >= 0 && length != size)
        {
            failure = new MappingFailure($"expected base64 of exactly {size} bytes, found {length} bytes");
            return null;
        }

        return bytes.AsSpan(0, length).ToArray();
    }

    /// <summary>Reads <c>-123.4500</c> as the unscaled integer at the schema's scale; refuses digits the scale or precision cannot hold.</summary>
    private static object? ParseDecimal(AvroSchema schema, string text, ref MappingFailure? failure)
    {
        var negative = text.StartsWith('-');
        var body = negative ? text[1..] : text;
        var point = body.IndexOf('.', StringComparison.Ordinal);
        var whole = point < 0 ? body : body[..point];
        var fraction = point < 0 ? string.Empty : body[(point + 1)..];
        if (whole.Length == 0 || !whole.All(char.IsAsciiDigit) || (point >= 0 && (fraction.Length == 0 || !fraction.All(char.IsAsciiDigit))))
        {
            return Fail(ref failure, "a decimal string (like \"-12.34\")", text);
        }

        var extra = fraction.Length - schema.Scale;
        if (extra > 0 && fraction[^extra..].Any(c => c != '0'))
        {
            failure = new MappingFailure($"\"{text}\" has more than the {schema.Scale} decimal places of the schema");
            return null;
        }

        var digits = whole + (extra > 0 ? fraction[..^extra] : fraction + new string('0', -extra));
        var unscaled = BigInteger.Parse(digits, NumberStyles.None, CultureInfo.InvariantCulture);
        if (schema.Precision > 0 && BigInteger.Abs(unscaled).ToString(CultureInfo.InvariantCulture).TrimStart('0').Length > schema.Precision)
        {
            failure = new MappingFailure($"\"{text}\" has more than the {schema.Precision} digits of the schema's precision");
            return null;
        }

        return new AvroDecimal(negative ? -unscaled : unscaled, schema.Scale);
    }

    private static object? Fail(ref MappingFailure? failure, string expected, string text)
    {
        failure = new MappingFailure($"expected {expected}, found \"{(text.Length > 64 ? text[..64] + "..." : text)}\"");
        return null;
    }
}
