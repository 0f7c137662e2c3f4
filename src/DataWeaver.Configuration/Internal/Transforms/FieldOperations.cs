using System.Globalization;
using System.Text;
using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>Compiles the field transforms of a definition: set, rename, drop, cast, timestamp, lookup.</summary>
internal static class FieldOperations
{
    private static readonly string[] SetSources = ["value", "from", "template"];

    public static FieldOperation? Compile(TransformDefinition transform, TimeProvider time, List<ConfigurationError> errors) => transform.Kind switch
    {
        "set" => Set(transform.Arguments, errors),
        "rename" => Rename(transform.Arguments),
        "drop" => Drop(transform.Arguments),
        "cast" => Cast(transform.Arguments),
        "timestamp" => Timestamp(transform.Arguments, time, errors),
        "lookup" => Lookup(transform.Arguments, errors),
        _ => null,
    };

    /// <summary>
    /// Refuses a secret (<c>${secret:...}</c>, or a variable under a secret-looking key) as a value a transform writes
    /// into records: records go to sinks, dead letters and logs. Secrets may flow into connector settings only.
    /// </summary>
    /// <returns>Whether <paramref name="value"/> holds a secret.</returns>
    internal static bool RefuseSecret(ConfigValue? value, string transform, List<ConfigurationError> errors)
    {
        if (value is null || !ContainsSecret(value))
        {
            return false;
        }

        errors.Add(ConfigurationError.At(value, $"'{transform}' would write a secret into every record it changes, and from there into outputs and dead letters: a secret may be used only in connector settings (a path, a password), never as record data. Use a plain variable ${{NAME}} if the value is not secret.", ConfigurationErrorCode.NotAllowed));
        return true;

        static bool ContainsSecret(ConfigValue v) => v.IsSecret || v.Items.Any(ContainsSecret) || v.Properties.Any(p => ContainsSecret(p.Value));
    }

    private static FieldOperation Set(ConfigValue args, List<ConfigurationError> errors)
    {
        var field = args["field"]!.Text!;
        if (RefuseSecret(args["value"], "set", errors) | RefuseSecret(args["template"], "set", errors) | RefuseSecret(args["otherwise"], "set", errors))
        {
            return new FieldOperation("set " + field, _ => { });
        }

        var path = JsonFieldPath.Parse(field);
        var given = SetSources.Where(k => args.TryGetProperty(k, out _)).ToList();
        if (given.Count != 1)
        {
            errors.Add(ConfigurationError.At(args, given.Count == 0
                ? "'set' needs one of value, from or template."
                : $"'set' takes one of value, from or template; found {string.Join(" and ", given)}.", ConfigurationErrorCode.Conflict));
            return new FieldOperation("set " + field, _ => { });
        }

        var reads = new HashSet<string>(StringComparer.Ordinal);
        Func<JsonRecord, JsonFieldValue?> compute;
        JsonFieldValue? constant = null;
        switch (given[0])
        {
            case "value":
                var value = FieldValues.FromConfig(args["value"]!);
                constant = value;
                compute = _ => value;
                break;
            case "from":
                var from = JsonFieldPath.Parse(args["from"]!.Text!);
                reads.Add(from.Names[0]);
                compute = r => r.TryGetField(from, out var f) ? FieldValues.FromField(f) : null;
                break;
            default:
                var template = CompileTemplate(args["template"]!, reads, errors);
                compute = r => JsonFieldValue.FromString(template?.Render(r));
                break;
        }

        var otherwise = args["otherwise"] is { } other ? FieldValues.FromConfig(other) : null;
        if (args["when"] is { } when)
        {
            var condition = Conditions.Compile(when, errors, reads);
            var then = compute;
            compute = r => condition(r) ? then(r) : otherwise;
            constant = null;
        }
        else if (otherwise is not null)
        {
            errors.Add(ConfigurationError.At(args["otherwise"]!, "'otherwise' is the value for the records 'when' does not match; it needs a 'when'.", ConfigurationErrorCode.Conflict));
        }

        var operation = new FieldOperation("set " + field, b =>
        {
            if (constant is not null)
            {
                b.Set(path, constant);
            }
            else
            {
                b.Set(path, compute);
            }
        }).Writing(field);
        operation.Reads.UnionWith(reads);
        return operation;
    }

    private static Template<JsonRecord>? CompileTemplate(ConfigValue text, HashSet<string> reads, List<ConfigurationError> errors)
    {
        var template = Template<JsonRecord>.TryCompile(text.Text!, placeholder =>
        {
            var compiled = Placeholder(placeholder);
            if (compiled.Render is not null)
            {
                reads.Add(placeholder.Split('.')[0]);
            }

            return compiled;
        }, out var error);
        if (template is null)
        {
            errors.Add(ConfigurationError.At(text, error!));
        }

        return template;
    }

    /// <summary>Compiles a template placeholder: a field or dotted path, rendered as its text (nothing when missing or null).</summary>
    internal static (Func<JsonRecord, string>? Render, string? Error) Placeholder(string placeholder)
    {
        if (placeholder.Length == 0 || placeholder.Split('.').Any(n => n.Length == 0))
        {
            return (null, $"'{{{placeholder}}}' is not a field name; a placeholder is a field or a dotted path such as {{customer.name}}.");
        }

        var path = JsonFieldPath.Parse(placeholder);
        return (r => r.TryGetField(path, out var f) && f.Kind != JsonValueKind.Null ? FieldValues.Text(f) : string.Empty, null);
    }

    private static FieldOperation Rename(ConfigValue args)
    {
        var from = args["from"]!.Text!;
        var to = args["to"]!.Text!;
        var dot = from.LastIndexOf('.');
        var target = dot < 0 ? to : from[..(dot + 1)] + to;
        return new FieldOperation($"rename {from}->{to}", b => b.Rename(from, to)).Writing(from, target);
    }

    private static FieldOperation Drop(ConfigValue args)
    {
        var fields = args.Kind == ConfigValueKind.Sequence ? args.Items.Select(i => i.Text!).ToArray() : [args.Text!];
        return new FieldOperation("drop " + string.Join(",", fields), b =>
        {
            foreach (var field in fields.Distinct())
            {
                b.Drop(field);
            }
        }).Writing(fields);
    }

    private static FieldOperation Cast(ConfigValue args)
    {
        var field = args["field"]!.Text!;
        var to = args["to"]!.Text!;
        var path = JsonFieldPath.Parse(field);
        return new FieldOperation($"cast {field}:{to}", b => b.Set(path, r => r.TryGetField(path, out var f) && f.Kind != JsonValueKind.Null ? Casts.Convert(f, to, field) : null))
            .Writing(field).Reading(field);
    }

    private static FieldOperation Timestamp(ConfigValue args, TimeProvider time, List<ConfigurationError> errors)
    {
        var field = args["field"]!.Text!;
        var path = JsonFieldPath.Parse(field);
        var format = args["format"]?.Text ?? "auto";
        var to = args["to"]?.Text ?? "iso8601";
        var now = args["now"] is { } flag && flag.TryGetBoolean(out var stamp) && stamp;
        if (now && args["format"] is { } given)
        {
            errors.Add(ConfigurationError.At(given, "'format' describes the field being converted; with 'now: true' the field is stamped, not converted.", ConfigurationErrorCode.Conflict));
        }

        if (now)
        {
            var clock = new StampCache(time, to);
            return new FieldOperation($"timestamp {field}=now", b => b.Set(path, _ => clock.Now())).Writing(field);
        }

        return new FieldOperation($"timestamp {field}", b => b.Set(path, r => r.TryGetField(path, out var f) && f.Kind != JsonValueKind.Null
            ? Casts.Write(Casts.ReadTime(f, format, field), to)
            : null)).Writing(field).Reading(field);
    }

    /// <summary>The most entries a lookup table compares one by one (larger ones hash the decoded text).</summary>
    private const int SmallLookup = 16;

    private static FieldOperation Lookup(ConfigValue args, List<ConfigurationError> errors)
    {
        if (RefuseSecret(args["values"], "lookup", errors) | RefuseSecret(args["default"], "lookup", errors))
        {
            return new FieldOperation("lookup", _ => { });
        }

        var field = args["field"]!.Text!;
        var to = args["to"]?.Text ?? field;
        var source = JsonFieldPath.Parse(field);
        var target = JsonFieldPath.Parse(to);
        var table = args["values"]!.Properties.ToDictionary(p => p.Name, p => FieldValues.FromConfig(p.Value), StringComparer.Ordinal);
        var lookup = table.GetAlternateLookup<ReadOnlySpan<char>>();
        var fallback = args["default"] is { } d ? FieldValues.FromConfig(d) : null;

        // A small table is searched by the keys' UTF-8 bytes: a string field is compared where it lies, not decoded first.
        var small = table.Count <= SmallLookup ? table.Select(p => (Key: Encoding.UTF8.GetBytes(p.Key), p.Value)).ToArray() : null;
        return new FieldOperation($"lookup {field}->{to}", b => b.Set(target, r =>
        {
            if (!r.TryGetField(source, out var f) || f.Kind == JsonValueKind.Null)
            {
                return fallback;
            }

            if (small is not null && f.Kind == JsonValueKind.String)
            {
                foreach (var (utf8Key, entry) in small)
                {
                    if (f.ValueEquals(utf8Key))
                    {
                        return entry;
                    }
                }

                return fallback;
            }

            Span<char> key = stackalloc char[128];
            if (f.Kind == JsonValueKind.String && f.TryGetString(key, out var length))
            {
                return lookup.TryGetValue(key[..length], out var found) ? found : fallback;
            }

            return table.TryGetValue(FieldValues.Text(f), out var value) ? value : fallback;
        })).Writing(to).Reading(field);
    }
}

/// <summary>The current time as a value, made once per millisecond (records of one millisecond share it). Thread-safe.</summary>
internal sealed class StampCache(TimeProvider time, string format)
{
    private Stamp? _last;

    public JsonFieldValue Now()
    {
        var now = time.GetUtcNow();
        var millisecond = now.ToUnixTimeMilliseconds();
        if (Volatile.Read(ref _last) is { } last && last.Millisecond == millisecond)
        {
            return last.Value;
        }

        var value = format is "unix-ms" or "unix-s" ? Casts.Write(now, format) : FieldValues.Encoded(Timestamps.FormatIso(now));
        Volatile.Write(ref _last, new Stamp(millisecond, value));
        return value;
    }

    private sealed record Stamp(long Millisecond, JsonFieldValue Value);
}

/// <summary>The conversions of <c>cast</c> and <c>timestamp</c>; a value that cannot be converted is a data error.</summary>
internal static class Casts
{
    public static JsonFieldValue Convert(in JsonField field, string to, string name)
    {
        switch (to)
        {
            case "string":
                return JsonFieldValue.FromString(FieldValues.Text(field));
            case "bool":
                if (field.TryGetBoolean(out var flag))
                {
                    return JsonFieldValue.FromBoolean(flag);
                }

                var text = FieldValues.Text(field).Trim();
                return text.ToLowerInvariant() switch
                {
                    "true" or "1" or "yes" => JsonFieldValue.FromBoolean(true),
                    "false" or "0" or "no" => JsonFieldValue.FromBoolean(false),
                    _ => throw Fail(field, name, to),
                };
            case "timestamp":
                return JsonFieldValue.FromString(Timestamps.FormatIso(ReadTime(field, "auto", name)));
        }

        if (field.TryGetBoolean(out var boolean))
        {
            return JsonFieldValue.FromInt64(boolean ? 1 : 0);
        }

        if (!FieldValues.TryGetDecimal(field, out var number))
        {
            // Beyond decimal's range: a JSON number such as 1e400 reads as infinity, which JSON cannot hold.
            if (to == "double" && field.Kind == JsonValueKind.Number && field.TryGetDouble(out var real) && double.IsFinite(real))
            {
                return JsonFieldValue.FromDouble(real);
            }

            throw Fail(field, name, to);
        }

        var whole = decimal.Truncate(number);
        return to switch
        {
            "int" when whole is >= int.MinValue and <= int.MaxValue => JsonFieldValue.FromInt64((long)whole),
            "long" when whole is >= long.MinValue and <= long.MaxValue => JsonFieldValue.FromInt64((long)whole),
            "double" => JsonFieldValue.FromDouble((double)number),
            "decimal" => JsonFieldValue.FromDecimal(number),
            _ => throw Fail(field, name, to),
        };
    }

    public static DateTimeOffset ReadTime(in JsonField field, string format, string name)
    {
        var text = FieldValues.Text(field);
        var numeric = field.Kind == JsonValueKind.Number || (format is "unix-ms" or "unix-s");
        if (format == "iso8601" || (format == "auto" && !numeric))
        {
            return field.Kind == JsonValueKind.String && Timestamps.TryParseIso(text, out var time) ? time : throw Fail(field, name, "an ISO 8601 time");
        }

        return FieldValues.TryGetDecimal(field, out var number) && Timestamps.TryFromUnix(number, format != "unix-s", out var unix)
            ? unix
            : throw Fail(field, name, format == "unix-s" ? "Unix seconds" : "Unix milliseconds");
    }

    public static JsonFieldValue Write(DateTimeOffset time, string to) => to switch
    {
        "unix-ms" => JsonFieldValue.FromInt64(time.ToUnixTimeMilliseconds()),
        "unix-s" => JsonFieldValue.FromInt64(time.ToUnixTimeSeconds()),
        _ => JsonFieldValue.FromString(Timestamps.FormatIso(time)),
    };

    private static DataWeaverException Fail(in JsonField field, string name, string to)
    {
        var text = FieldValues.Text(field);
        return new DataWeaverException(ErrorClass.Data, string.Create(CultureInfo.InvariantCulture, $"The field '{name}' ({(text.Length > 40 ? text[..37] + "..." : text)}) cannot be converted to {to}."));
    }
}
