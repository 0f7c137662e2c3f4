using System.Globalization;
using System.Text.Json;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>
/// Compiles filter conditions: <c>{ field, op, value }</c> comparisons, <c>{ all: [...] }</c>, <c>{ any: [...] }</c> and
/// <c>{ not: ... }</c>. Comparisons never throw: a missing field, a null, or a value of another type simply does not
/// match (and <c>!=</c>, <c>not-in</c>, <c>not</c> are the negations of what they negate).
/// </summary>
internal static class Conditions
{
    public static readonly string[] Operators = ["==", "!=", "<", "<=", ">", ">=", "in", "not-in", "exists", "contains", "startsWith", "endsWith"];

    /// <summary>Compiles a condition; problems go to <paramref name="errors"/> (the result then never matches).</summary>
    public static Func<JsonRecord, bool> Compile(ConfigValue condition, List<ConfigurationError> errors, HashSet<string>? reads = null)
    {
        if (condition.TryGetProperty("all", out var all))
        {
            var parts = all.Items.Select(c => Compile(c, errors, reads)).ToArray();
            return r => parts.All(p => p(r));
        }

        if (condition.TryGetProperty("any", out var any))
        {
            var parts = any.Items.Select(c => Compile(c, errors, reads)).ToArray();
            return r => parts.Any(p => p(r));
        }

        if (condition.TryGetProperty("not", out var not))
        {
            var inner = Compile(not, errors, reads);
            return r => !inner(r);
        }

        if (!condition.TryGetProperty("field", out var fieldValue) || fieldValue.Text is not { Length: > 0 } field || field.Split('.').Any(n => n.Length == 0))
        {
            return static _ => false; // the schema reported it
        }

        reads?.Add(field.Split('.')[0]);
        var path = JsonFieldPath.Parse(field);
        var op = condition["op"]?.Text ?? "==";
        var operand = condition["value"];
        switch (op)
        {
            case "exists":
                var expected = true;
                if (operand is not null && !operand.TryGetBoolean(out expected))
                {
                    errors.Add(ConfigurationError.At(operand, $"'exists' takes true (the default) or false; found {operand.Describe()}.", ConfigurationErrorCode.Type));
                }

                return r => (r.TryGetField(path, out var f) && f.Kind != JsonValueKind.Null) == expected;
            case "in" or "not-in":
                if (operand is not { Kind: ConfigValueKind.Sequence } || operand.Items.Any(i => !i.IsScalar))
                {
                    errors.Add(OperandError(operand, condition, $"'{op}' takes a sequence of values, e.g. value: [DE, FR]; found {operand?.Describe() ?? "none"}."));
                    return static _ => false;
                }

                var candidates = operand.Items.Select(Operand.From).ToArray();
                var negate = op == "not-in";
                return r =>
                {
                    var found = r.TryGetField(path, out var f) && f.Kind != JsonValueKind.Null;
                    return candidates.Any(c => c.IsEqual(f, found)) != negate;
                };
            case "contains" or "startsWith" or "endsWith":
                if (operand is null || operand.Kind == ConfigValueKind.Null || !operand.IsScalar)
                {
                    errors.Add(OperandError(operand, condition, $"'{op}' takes a string value; found {operand?.Describe() ?? "none"}."));
                    return static _ => false;
                }

                var text = operand.Text!;
                Func<string, bool> test = op switch
                {
                    "contains" => s => s.Contains(text, StringComparison.Ordinal),
                    "startsWith" => s => s.StartsWith(text, StringComparison.Ordinal),
                    _ => s => s.EndsWith(text, StringComparison.Ordinal),
                };
                return r => r.TryGetField(path, out var f) && f.Kind == JsonValueKind.String && f.TryGetString(out var s) && test(s);
            default:
                if (operand is null || !operand.IsScalar)
                {
                    errors.Add(OperandError(operand, condition, $"'{op}' takes a value to compare with (a string, a number, a boolean or null); found {operand?.Describe() ?? "none"}."));
                    return static _ => false;
                }

                var value = Operand.From(operand);
                if (op is "<" or "<=" or ">" or ">=" && value.Kind is not (Operand.Kinds.Number or Operand.Kinds.String))
                {
                    errors.Add(ConfigurationError.At(operand, $"'{op}' compares with a number or a string; found {operand.Describe()}.", ConfigurationErrorCode.Type));
                    return static _ => false;
                }

                if (op is "<" or "<=" or ">" or ">=" && value.Kind == Operand.Kinds.String && decimal.TryParse(operand.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                {
                    errors.Add(ConfigurationError.At(operand, $"'{op}' with \"{operand.Text}\", a quoted string, compares strings character by character (\"9\" > \"18\") and never matches a number; write {operand.Text} without quotes to compare numbers.", ConfigurationErrorCode.Type));
                    return static _ => false;
                }

                return op switch
                {
                    "==" => r => value.IsEqual(Find(r, path, out var found), found),
                    "!=" => r => !value.IsEqual(Find(r, path, out var found), found),
                    "<" => r => value.Compare(Find(r, path, out var found), found) is < 0,
                    "<=" => r => value.Compare(Find(r, path, out var found), found) is <= 0,
                    ">" => r => value.Compare(Find(r, path, out var found), found) is > 0,
                    _ => r => value.Compare(Find(r, path, out var found), found) is >= 0,
                };
        }
    }

    /// <summary>A problem with a comparison's operand: at the operand, or at the condition when it is missing.</summary>
    private static ConfigurationError OperandError(ConfigValue? operand, ConfigValue condition, string message) => operand is null
        ? new ConfigurationError(ConfigurationErrorCode.Required, ConfigPath.Child(condition.Path, "value"), message, condition.Location)
        : ConfigurationError.At(operand, message, ConfigurationErrorCode.Type);

    private static JsonField Find(in JsonRecord record, JsonFieldPath path, out bool found)
    {
        found = record.TryGetField(path, out var field) && field.Kind != JsonValueKind.Null;
        return field;
    }

    /// <summary>
    /// Reads a plain JSON number (an optional minus, at most 18 digits, an optional fraction; no exponent) as the
    /// decimal of the same value, without the general parser: what a comparison reads on every record. Anything
    /// else is left to <see cref="JsonField.TryGetDecimal"/>.
    /// </summary>
    internal static bool TryParsePlain(ReadOnlySpan<byte> text, out decimal value)
    {
        value = 0;
        var i = 0;
        var negative = text.Length > 0 && text[0] == (byte)'-';
        if (negative)
        {
            i = 1;
        }

        ulong mantissa = 0;
        var digits = 0;
        var scale = -1; // -1 until the point
        for (; i < text.Length; i++)
        {
            var digit = (uint)(text[i] - '0');
            if (digit <= 9)
            {
                if (++digits > 18)
                {
                    return false;
                }

                mantissa = (mantissa * 10) + digit;
                scale += scale >= 0 ? 1 : 0;
            }
            else if (text[i] == (byte)'.' && scale < 0)
            {
                scale = 0;
            }
            else
            {
                return false;
            }
        }

        if (digits == 0)
        {
            return false;
        }

        value = new decimal((int)(uint)mantissa, (int)(uint)(mantissa >> 32), 0, negative, (byte)Math.Max(scale, 0));
        return true;
    }

    /// <summary>A comparison's constant operand.</summary>
    private sealed class Operand
    {
        public enum Kinds
        {
            Null,
            String,
            Number,
            Boolean,
        }

        public Kinds Kind { get; private init; }

        public string Text { get; private init; } = string.Empty;

        public decimal Number { get; private init; }

        public bool Boolean { get; private init; }

        public static Operand From(ConfigValue value) =>
            value.Kind == ConfigValueKind.Null ? new Operand { Kind = Kinds.Null }
            : value.TryGetBoolean(out var flag) && value.Kind == ConfigValueKind.Boolean ? new Operand { Kind = Kinds.Boolean, Boolean = flag }
            : value.Kind != ConfigValueKind.String && value.TryGetDecimal(out var number) ? new Operand { Kind = Kinds.Number, Number = number }
            : value.FromVariable && value.TryGetDecimal(out var fromVariable) ? new Operand { Kind = Kinds.Number, Number = fromVariable, Text = value.Text! }
            : new Operand { Kind = Kinds.String, Text = value.Text ?? string.Empty };

        public bool IsEqual(in JsonField field, bool found) => Kind switch
        {
            Kinds.Null => !found,
            _ when !found => false,
            Kinds.String => field.Kind == JsonValueKind.String && field.ValueEquals(Text.AsSpan()),
            Kinds.Boolean => field.TryGetBoolean(out var b) && b == Boolean,
            _ => field.Kind == JsonValueKind.Number && Compare(field, found) == 0
                || (Text.Length > 0 && field.Kind == JsonValueKind.String && field.ValueEquals(Text.AsSpan())),
        };

        public int? Compare(in JsonField field, bool found)
        {
            if (!found)
            {
                return null;
            }

            if (Kind == Kinds.Number && field.Kind == JsonValueKind.Number)
            {
                if (TryParsePlain(field.RawValue.Span, out var number) || field.TryGetDecimal(out number))
                {
                    return number.CompareTo(Number);
                }

                return field.TryGetDouble(out var real) ? real.CompareTo((double)Number) : null;
            }

            return Kind == Kinds.String && field.Kind == JsonValueKind.String && field.TryGetString(out var text)
                ? Math.Sign(string.CompareOrdinal(text, Text))
                : null;
        }
    }
}
