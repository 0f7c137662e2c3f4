using System.Globalization;
using System.Text.RegularExpressions;

namespace DataWeaver.Configuration.Loading.Internal;

/// <summary>YAML 1.2 core schema resolution of plain scalars (so <c>yes</c> and <c>no</c> stay strings), and integer normalization.</summary>
internal static partial class ScalarResolver
{
    public static (ConfigValueKind Kind, string? Text) ResolvePlain(string text)
    {
        switch (text)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return (ConfigValueKind.Null, null);
            case "true" or "True" or "TRUE":
                return (ConfigValueKind.Boolean, "true");
            case "false" or "False" or "FALSE":
                return (ConfigValueKind.Boolean, "false");
        }

        if (DecimalInteger().IsMatch(text))
        {
            return Integer(text, 10);
        }

        if (text.StartsWith("0x", StringComparison.Ordinal) && HexDigits().IsMatch(text.AsSpan(2)))
        {
            return Integer(text[2..], 16);
        }

        if (text.StartsWith("0o", StringComparison.Ordinal) && OctalDigits().IsMatch(text.AsSpan(2)))
        {
            return Integer(text[2..], 8);
        }

        if (Float().IsMatch(text))
        {
            // YAML accepts .5, 1. and +1.5; JSON does not: those become their shortest JSON form.
            var number = text.StartsWith('+') ? text[1..] : text;
            return (ConfigValueKind.Number, JsonNumber().IsMatch(number) ? number : double.Parse(number, NumberStyles.Float, CultureInfo.InvariantCulture).ToString("R", CultureInfo.InvariantCulture));
        }

        // .inf and .nan have no JSON form: they stay strings.
        return (ConfigValueKind.String, text);
    }

    /// <summary>Normalizes an integer's text to invariant decimal; integers beyond 64 bits become numbers.</summary>
    public static (ConfigValueKind Kind, string? Text) Integer(string digits, int radix)
    {
        if (radix == 10)
        {
            return long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
                ? (ConfigValueKind.Integer, value.ToString(CultureInfo.InvariantCulture))
                : (ConfigValueKind.Number, digits.TrimStart('+'));
        }

        try
        {
            return (ConfigValueKind.Integer, Convert.ToInt64(digits, radix).ToString(CultureInfo.InvariantCulture));
        }
        catch (OverflowException)
        {
            return (ConfigValueKind.String, digits);
        }
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex DecimalInteger();

    [GeneratedRegex(@"^[0-9a-fA-F]+$")]
    private static partial Regex HexDigits();

    [GeneratedRegex(@"^[0-7]+$")]
    private static partial Regex OctalDigits();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex Float();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex JsonNumber();
}
