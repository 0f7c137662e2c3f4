using System.Buffers;
using System.Buffers.Text;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataWeaver.Configuration.Internal.Transforms;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>
/// The records of a <c>generator</c> source, from its <c>fields</c> setting: each field is a constant, a template
/// string with <c>{n}</c> placeholders (<c>{n}</c>, <c>{n % 7}</c>, <c>{n / 2}</c>, <c>{n * 3}</c>, <c>{n + 1}</c>,
/// <c>{n - 1}</c>, n being the record's sequence number), or a mapping with one of <c>number</c> (<c>((n % mod) * multiply) + add</c>),
/// <c>cycle</c> (the n-th item, round), <c>template</c>, <c>value</c> (any constant), <c>timestamp</c>
/// (<c>start + n * step</c> as ISO 8601) or <c>object</c> (nested fields). Deterministic, thread-safe.
/// </summary>
internal sealed class GeneratedRecordSpec
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };
    private static readonly string[] Kinds = ["number", "cycle", "template", "value", "timestamp", "object"];

    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly (JsonEncodedText Name, Action<Utf8JsonWriter, long> Write)[] _fields;
    private bool _checked = true;

    private GeneratedRecordSpec((JsonEncodedText, Action<Utf8JsonWriter, long>)[] fields) => _fields = fields;

    public static GeneratedRecordSpec Compile(ConfigValue fields, List<ConfigurationError> errors)
    {
        if (fields.Kind != ConfigValueKind.Mapping || fields.Properties.Count == 0)
        {
            errors.Add(ConfigurationError.At(fields, "Expected a mapping of field names to what to generate, e.g. { id: { number: {} }, name: \"user-{n}\" }.", ConfigurationErrorCode.Type));
            return new GeneratedRecordSpec([]);
        }

        return new GeneratedRecordSpec([.. fields.Properties.Select(p => (JsonEncodedText.Encode(p.Name, JavaScriptEncoder.UnsafeRelaxedJsonEscaping), Field(p.Value, errors)))])
        {
            _checked = !fields.Properties.All(p => IsFlat(p.Value)),
        };
    }

    /// <summary>
    /// Whether a field writes one scalar: then every record is one flat object, valid by construction (names and scalars
    /// through the writer, raw scalars that the definition's own values serialised to), and is not checked again.
    /// Nested objects and collection constants are checked (their depth adds up).
    /// </summary>
    private static bool IsFlat(ConfigValue field) => field.Kind switch
    {
        ConfigValueKind.Sequence => false,
        ConfigValueKind.Mapping => field.Properties is [var only] && only.Name switch
        {
            "number" or "template" or "timestamp" => true,
            "value" => only.Value.Kind is not (ConfigValueKind.Mapping or ConfigValueKind.Sequence),
            "cycle" => only.Value.Items.All(i => i.Kind is not (ConfigValueKind.Mapping or ConfigValueKind.Sequence)),
            _ => false,
        },
        _ => true,
    };

    public JsonRecord Generate(long n)
    {
        // Written straight into a shared chunk (no copy per record); a flat record is taken unchecked (see IsFlat)
        // unless a long string constant makes it bigger than a record may be.
        var chunk = RecordChunkWriter.ForThisThread;
        var writer = t_writer;
        if (writer is null)
        {
            writer = t_writer = new Utf8JsonWriter(chunk, WriterOptions);
        }
        else
        {
            writer.Reset(chunk);
        }

        WriteObject(writer, n);
        writer.Flush();
        var record = chunk.TakeUnchecked();
        return _checked || record.Utf8.Length > JsonRecordOptions.DefaultMaxRecordBytes ? JsonRecord.Parse(record.Utf8) : record;
    }

    private void WriteObject(Utf8JsonWriter writer, long n)
    {
        writer.WriteStartObject();
        foreach (var (name, write) in _fields)
        {
            writer.WritePropertyName(name);
            write(writer, n);
        }

        writer.WriteEndObject();
    }

    private static Action<Utf8JsonWriter, long> Field(ConfigValue spec, List<ConfigurationError> errors)
    {
        switch (spec.Kind)
        {
            case ConfigValueKind.String:
                return Template(spec, spec.Text!, errors);
            case ConfigValueKind.Mapping when spec.Properties is [var only] && Kinds.Contains(only.Name):
                return Kind(only.Name, only.Value, errors);
            case ConfigValueKind.Mapping:
                var names = spec.Properties.Select(p => p.Name).ToList();
                var hint = names.Count == 1 ? Suggestions.DidYouMean(names[0], Kinds) : string.Empty;
                errors.Add(ConfigurationError.At(spec, $"A generated field is a constant, a template string, or a mapping with one of: {Suggestions.List(Kinds)}; found {(names.Count == 0 ? "an empty mapping" : Suggestions.List(names))}{hint}."));
                return static (w, _) => w.WriteNullValue();
            default:
                return Constant(spec);
        }
    }

    private static Action<Utf8JsonWriter, long> Kind(string kind, ConfigValue value, List<ConfigurationError> errors)
    {
        switch (kind)
        {
            case "template" when value.Kind == ConfigValueKind.String:
                return Template(value, value.Text!, errors);
            case "value":
                return Constant(value);
            case "number":
                return Number(value, errors);
            case "cycle" when value.Kind == ConfigValueKind.Sequence && value.Items.Count > 0:
                var items = value.Items.Select(i => Encoding.UTF8.GetBytes(i.ToJson(revealSecrets: true))).ToArray();
                return (w, n) => w.WriteRawValue(items[n % items.Length], skipInputValidation: true);
            case "timestamp":
                return Timestamp(value, errors);
            case "object" when value.Kind == ConfigValueKind.Mapping:
                var nested = Compile(value, errors);
                return nested.WriteObject;
            default:
                errors.Add(ConfigurationError.At(value, kind switch
                {
                    "cycle" => "'cycle' takes a non-empty sequence of values.",
                    "object" => "'object' takes a mapping of nested fields.",
                    _ => $"'{kind}' takes a string.",
                }, ConfigurationErrorCode.Type));
                return static (w, _) => w.WriteNullValue();
        }
    }

    private static Action<Utf8JsonWriter, long> Constant(ConfigValue value)
    {
        var raw = Encoding.UTF8.GetBytes(value.ToJson(revealSecrets: true));
        return (w, _) => w.WriteRawValue(raw, skipInputValidation: true);
    }

    private static Action<Utf8JsonWriter, long> Template(ConfigValue at, string text, List<ConfigurationError> errors)
    {
        List<Func<long, long>> operations = [];
        var template = Template<long>.TryCompile(text, expression =>
        {
            var (operation, error) = SequenceOperation(expression);
            if (operation is null)
            {
                return (null, error);
            }

            operations.Add(operation);
            return (n => operation(n).ToString(CultureInfo.InvariantCulture), null);
        }, out var error);
        if (template is null)
        {
            errors.Add(ConfigurationError.At(at, error!));
            return static (w, _) => w.WriteNullValue();
        }

        var literals = template.Literals;
        Func<long, long>[] compiled = [.. operations];
        if (EscapedLiterals(literals) is { } escaped)
        {
            return (w, n) => WriteTemplateRaw(w, n, escaped, compiled, template);
        }

        return (w, n) => w.WriteStringValue(template.Render(n));
    }

    /// <summary>The literals as the writer escapes them (UTF-8, each alone: a placeholder never splits a character); <see langword="null"/> when one cannot be encoded.</summary>
    private static byte[]?[]? EscapedLiterals(string?[] literals)
    {
        try
        {
            return [.. literals.Select(l => l is null ? null : JsonEncodedText.Encode(l, WriterOptions.Encoder).EncodedUtf8Bytes.ToArray())];
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// Writes a template's text for <paramref name="n"/> as a raw JSON string: the literals escaped once at compile time,
    /// the numbers formatted as UTF-8 (digits and a minus never need escaping). Long text falls back to <see cref="Template{TArgument}.Render"/>.
    /// </summary>
    private static void WriteTemplateRaw(Utf8JsonWriter writer, long n, byte[]?[] literals, Func<long, long>[] operations, Template<long> template)
    {
        Span<byte> text = stackalloc byte[256];
        text[0] = (byte)'"';
        var length = 1;
        var next = 0;
        foreach (var literal in literals)
        {
            int written;
            if (literal is not null)
            {
                written = literal.Length;
                if (!literal.AsSpan().TryCopyTo(text[length..]))
                {
                    writer.WriteStringValue(template.Render(n));
                    return;
                }
            }
            else if (!Utf8Formatter.TryFormat(operations[next++](n), text[length..], out written))
            {
                writer.WriteStringValue(template.Render(n));
                return;
            }

            length += written;
        }

        if (length == text.Length)
        {
            writer.WriteStringValue(template.Render(n));
            return;
        }

        text[length++] = (byte)'"';
        writer.WriteRawValue(text[..length], skipInputValidation: true);
    }

    /// <summary>Compiles <c>n</c>, <c>n % 7</c>, <c>n / 2</c>, <c>n * 3</c>, <c>n + 1</c>, <c>n - 1</c>.</summary>
    private static (Func<long, long>? Operation, string? Error) SequenceOperation(string expression)
    {
        const string Help = "a placeholder of a generated field is {n}, or {n OP K} with OP one of % / * + - and K an integer";
        var text = expression.Replace(" ", string.Empty, StringComparison.Ordinal);
        if (text == "n")
        {
            return (static n => n, null);
        }

        if (text.Length < 3 || text[0] != 'n' || !long.TryParse(text.AsSpan(2), NumberStyles.None, CultureInfo.InvariantCulture, out var k))
        {
            return (null, $"'{{{expression}}}': {Help}.");
        }

        Func<long, long>? op = text[1] switch
        {
            '%' when k > 0 => n => n % k,
            '/' when k > 0 => n => n / k,
            '*' => n => n * k,
            '+' => n => n + k,
            '-' => n => n - k,
            _ => null,
        };
        return op is null ? (null, $"'{{{expression}}}': {Help} (and K above 0 for % and /).") : (op, null);
    }

    private static Action<Utf8JsonWriter, long> Number(ConfigValue spec, List<ConfigurationError> errors)
    {
        if (spec.Kind is not (ConfigValueKind.Mapping or ConfigValueKind.Null))
        {
            errors.Add(ConfigurationError.At(spec, "'number' takes a mapping of mod, multiply and add (all optional): ((n % mod) * multiply) + add.", ConfigurationErrorCode.Type));
            return static (w, _) => w.WriteNullValue();
        }

        decimal Read(string name, decimal fallback)
        {
            var value = spec[name];
            if (value is null)
            {
                return fallback;
            }

            if (!value.TryGetDecimal(out var number))
            {
                errors.Add(ConfigurationError.At(value, $"'{name}' must be a number; found {value.Describe()}.", ConfigurationErrorCode.Type));
            }

            return number;
        }

        foreach (var property in spec.Properties.Where(p => p.Name is not ("mod" or "multiply" or "add")))
        {
            errors.Add(new ConfigurationError(ConfigurationErrorCode.UnknownKey, property.Value.Path, $"Unknown key '{property.Name}' of 'number'{Suggestions.DidYouMean(property.Name, ["mod", "multiply", "add"])}; it takes mod, multiply and add.", property.NameLocation));
        }

        var mod = Read("mod", 0);
        var multiply = Read("multiply", 1);
        var add = Read("add", 0);
        if (mod < 0 || mod != decimal.Truncate(mod))
        {
            errors.Add(ConfigurationError.At(spec["mod"]!, "'mod' must be a positive integer.", ConfigurationErrorCode.Range));
        }

        var modulus = (long)mod;
        if (multiply == decimal.Truncate(multiply) && add == decimal.Truncate(add))
        {
            var (m, a) = ((long)multiply, (long)add);
            return (w, n) => w.WriteNumberValue(((modulus > 0 ? n % modulus : n) * m) + a);
        }

        if (FixedPoint.TryCreate(multiply, add) is { } fixedPoint)
        {
            return (w, n) => fixedPoint.Write(w, modulus > 0 ? n % modulus : n, multiply, add);
        }

        return (w, n) => w.WriteNumberValue(((modulus > 0 ? n % modulus : n) * multiply) + add);
    }

    /// <summary>
    /// <c>(n * multiply) + add</c> for a fractional, non-negative multiply or add, computed in integers scaled by
    /// 10^scale and formatted straight into the record: the same text as the decimal sum (which keeps
    /// <c>max(multiply.Scale, add.Scale)</c> digits after the point), without decimal arithmetic or formatting per
    /// record. Values beyond what it computes exactly are written through <see cref="decimal"/> as before.
    /// </summary>
    private sealed class FixedPoint
    {
        private readonly long _multiply; // multiply * 10^scale
        private readonly long _add;      // add * 10^scale
        private readonly long _unit;     // 10^scale
        private readonly StandardFormat _fraction;

        private FixedPoint(long multiply, long add, int scale)
        {
            _multiply = multiply;
            _add = add;
            _unit = (long)Math.Pow(10, scale);
            _fraction = new StandardFormat('D', (byte)scale);
        }

        public static FixedPoint? TryCreate(decimal multiply, decimal add)
        {
            var scale = Math.Max(multiply.Scale, add.Scale);
            if (scale is 0 or > 9 || multiply < 0 || add < 0 || multiply > 1_000_000_000m || add > 1_000_000_000m)
            {
                return null;
            }

            var unit = (decimal)Math.Pow(10, scale);
            return new FixedPoint((long)(multiply * unit), (long)(add * unit), scale);
        }

        public void Write(Utf8JsonWriter writer, long n, decimal multiply, decimal add)
        {
            var value = ((Int128)n * _multiply) + _add;
            if (n < 0 || value > long.MaxValue)
            {
                writer.WriteNumberValue((n * multiply) + add);
                return;
            }

            var scaled = (long)value;
            Span<byte> text = stackalloc byte[48];
            Utf8Formatter.TryFormat(scaled / _unit, text, out var length);
            text[length++] = (byte)'.';
            Utf8Formatter.TryFormat(scaled % _unit, text[length..], out var digits, _fraction);
            writer.WriteRawValue(text[..(length + digits)], skipInputValidation: true);
        }
    }

    private static Action<Utf8JsonWriter, long> Timestamp(ConfigValue spec, List<ConfigurationError> errors)
    {
        var start = spec["start"];
        var step = spec["step"];
        if (spec.Kind != ConfigValueKind.Mapping || start is null || !DateTimeOffset.TryParse(start.Text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var origin))
        {
            errors.Add(ConfigurationError.At(start ?? spec, "'timestamp' takes { start: an ISO 8601 time such as 2026-01-01T00:00:00Z, step: a duration such as 1s }."));
            return static (w, _) => w.WriteNullValue();
        }

        var interval = TimeSpan.FromSeconds(1);
        if (step is not null && !Units.TryParseDuration(step.Text, out interval))
        {
            errors.Add(ConfigurationError.At(step, $"'step' must be a duration such as 1s or 50ms; found {step.Describe()}.", ConfigurationErrorCode.Pattern));
        }

        return (w, n) => w.WriteStringValue(Timestamps.FormatIso(origin + (interval * n)));
    }
}
