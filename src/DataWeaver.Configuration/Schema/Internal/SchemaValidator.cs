using System.Globalization;
using System.Text.Json;
using DataWeaver.Configuration.Internal;

namespace DataWeaver.Configuration.Schema.Internal;

/// <summary>
/// Validates a <see cref="ConfigValue"/> tree against a compiled schema and reports every problem with its key path and
/// location. <c>oneOf</c>/<c>anyOf</c> are reported by their discriminator: the one key every alternative requires (a
/// transform's <c>filter</c>, <c>set</c>, ...), else the value's type, else the closest alternative.
/// </summary>
internal static class SchemaValidator
{
    public static void Validate(SchemaNode schema, ConfigValue value, ErrorList errors)
    {
        List<ConfigurationError> found = [];
        Validate(schema, value, found);
        foreach (var error in found)
        {
            errors.Add(error.Code, error.Path, error.Location, error.Message);
        }
    }

    private static void Validate(SchemaNode node, ConfigValue value, List<ConfigurationError> errors)
    {
        if (node.Resolved is not null)
        {
            Validate(node.Resolved, value, errors);
        }

        if (node.Types is { } types && !TypeMatches(types, value))
        {
            errors.Add(Error(ConfigurationErrorCode.Type, value, node.ErrorMessage is { } custom
                ? $"{Capitalize(custom)}; found {Found(value)}."
                : $"Expected {string.Join(" or ", types.Select(TypeName))}, found {Found(value)}."));
            return;
        }

        if (node.Const is { } constant && !EqualsJson(value, constant))
        {
            errors.Add(Error(ConfigurationErrorCode.NotAllowed, value, $"Must be {JsonText(constant)}; found {Found(value)}."));
        }

        if (node.Enum is { } allowed && !allowed.Any(a => EqualsJson(value, a)))
        {
            var names = allowed.Select(JsonText).ToList();
            var hint = value.Kind == ConfigValueKind.String && !value.IsSecret ? Suggestions.DidYouMean(value.Text!, allowed.Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!)) : string.Empty;
            errors.Add(Error(ConfigurationErrorCode.NotAllowed, value, $"{Capitalize(Found(value))} is not one of: {string.Join(", ", names)}{hint}."));
        }

        if ((value.IsScalar && value.Kind != ConfigValueKind.String) || value.FromVariable)
        {
            CheckRange(node, value, errors);
        }

        if (value.Kind == ConfigValueKind.String)
        {
            CheckString(node, value, errors);
        }

        if (value.Kind == ConfigValueKind.Sequence)
        {
            CheckSequence(node, value, errors);
        }

        if (value.Kind == ConfigValueKind.Mapping)
        {
            CheckMapping(node, value, errors);
        }

        if ((node.OneOf ?? node.AnyOf) is { } alternatives)
        {
            CheckAlternatives(node, alternatives, exactlyOne: node.OneOf is not null, value, errors);
        }
    }

    private static void CheckRange(SchemaNode node, ConfigValue value, List<ConfigurationError> errors)
    {
        if (!value.TryGetDecimal(out var number))
        {
            return;
        }

        var problem = number < node.Minimum ? $"at least {node.Minimum}"
            : number > node.Maximum ? $"at most {node.Maximum}"
            : number <= node.ExclusiveMinimum ? $"above {node.ExclusiveMinimum}"
            : number >= node.ExclusiveMaximum ? $"below {node.ExclusiveMaximum}"
            : null;
        if (problem is not null)
        {
            errors.Add(Error(ConfigurationErrorCode.Range, value, $"Must be {problem}; found {Found(value)}."));
        }
    }

    private static void CheckString(SchemaNode node, ConfigValue value, List<ConfigurationError> errors)
    {
        var text = value.Text!;
        if (node.MinLength is { } min && text.Length < min)
        {
            errors.Add(Error(ConfigurationErrorCode.Range, value, $"Must have at least {min} character{(min == 1 ? string.Empty : "s")}."));
        }

        if (node.Pattern is { } pattern && !pattern.IsMatch(text))
        {
            errors.Add(Error(ConfigurationErrorCode.Pattern, value, node.ErrorMessage is { } custom
                ? $"{Capitalize(custom)}; found {Found(value)}."
                : $"{Capitalize(Found(value))} does not match the pattern {pattern}."));
        }
    }

    private static void CheckSequence(SchemaNode node, ConfigValue value, List<ConfigurationError> errors)
    {
        var count = value.Items.Count;
        if (node.MinItems is { } min && count < min)
        {
            errors.Add(Error(ConfigurationErrorCode.Range, value, $"Needs at least {min} item{(min == 1 ? string.Empty : "s")}; found {count}."));
        }

        if (node.MaxItems is { } max && count > max)
        {
            errors.Add(Error(ConfigurationErrorCode.Range, value, $"Takes at most {max} item{(max == 1 ? string.Empty : "s")}; found {count}."));
        }

        if (node.Items is { } items)
        {
            foreach (var item in value.Items)
            {
                Validate(items, item, errors);
            }
        }
    }

    private static void CheckMapping(SchemaNode node, ConfigValue value, List<ConfigurationError> errors)
    {
        foreach (var required in node.Required)
        {
            if (!value.TryGetProperty(required, out _))
            {
                errors.Add(new ConfigurationError(ConfigurationErrorCode.Required, ConfigPath.Child(value.Path, required), $"Missing required key '{required}'.", value.Location));
            }
        }

        foreach (var property in value.Properties)
        {
            if (node.Properties.TryGetValue(property.Name, out var schema))
            {
                Validate(schema, property.Value, errors);
            }
            else if (node.AdditionalProperties is { } additional)
            {
                Validate(additional, property.Value, errors);
            }
            else if (node.ClosedProperties)
            {
                var hint = Suggestions.DidYouMean(property.Name, node.Properties.Keys);
                var known = hint.Length > 0 ? hint : $". Known keys: {Suggestions.List(node.Properties.Keys)}";
                errors.Add(new ConfigurationError(ConfigurationErrorCode.UnknownKey, property.Value.Path, $"Unknown key '{property.Name}'{known}.", property.NameLocation));
            }
        }
    }

    private static void CheckAlternatives(SchemaNode node, IReadOnlyList<SchemaNode> alternatives, bool exactlyOne, ConfigValue value, List<ConfigurationError> errors)
    {
        var effective = alternatives.Select(a => a.Effective).ToList();

        // Discriminated by key: every alternative is an object requiring its own first key.
        var keys = effective.Select(e => e.Types is ["object"] && e.Required.Count > 0 ? e.Required[0] : null).ToList();
        if (value.Kind == ConfigValueKind.Mapping && keys.All(k => k is not null) && keys.Distinct().Count() == keys.Count)
        {
            var present = effective.Where((e, i) => value.TryGetProperty(keys[i]!, out _)).ToList();
            if (present.Count == 1)
            {
                Validate(present[0], value, errors);
            }
            else if (present.Count > 1)
            {
                var both = keys.Where(k => value.TryGetProperty(k!, out _)).ToList();
                errors.Add(Error(ConfigurationErrorCode.NoAlternative, value, $"Has {string.Join(" and ", both.Select(k => $"'{k}'"))}: only one of them may be given here (put each in its own list item)."));
            }
            else if (value.Properties is [var only])
            {
                errors.Add(new ConfigurationError(ConfigurationErrorCode.NoAlternative, only.Value.Path, $"'{only.Name}' is not one of: {Suggestions.List(keys!)}{Suggestions.DidYouMean(only.Name, keys!)}.", only.NameLocation));
            }
            else
            {
                errors.Add(Error(ConfigurationErrorCode.NoAlternative, value, $"Expected exactly one of the keys {Suggestions.List(keys!)}; found {(value.Properties.Count == 0 ? "none" : Suggestions.List(value.Properties.Select(p => p.Name)))}."));
            }

            return;
        }

        // Discriminated by type.
        var candidates = effective.Where(e => e.Types is null || TypeMatches(e.Types, value)).ToList();
        if (candidates.Count == 0)
        {
            var expected = effective.SelectMany(e => e.Types ?? []).Distinct().Select(TypeName);
            errors.Add(Error(ConfigurationErrorCode.Type, value, node.ErrorMessage is { } custom
                ? $"{Capitalize(custom)}; found {Found(value)}."
                : $"Expected {string.Join(" or ", expected)}, found {Found(value)}."));
            return;
        }

        var results = candidates.Select(c =>
        {
            List<ConfigurationError> found = [];
            Validate(c, value, found);
            return found;
        }).ToList();
        var matches = results.Count(r => r.Count == 0);
        if (matches == 1 || (matches > 1 && !exactlyOne))
        {
            return;
        }

        if (matches > 1)
        {
            errors.Add(Error(ConfigurationErrorCode.NoAlternative, value, "Matches more than one of its alternatives."));
            return;
        }

        var closest = results.OrderBy(r => r.Count).First();
        if (node.ErrorMessage is { } message && (candidates.Count > 1 || closest.All(e => e.Path == value.Path)))
        {
            errors.Add(Error(ConfigurationErrorCode.Pattern, value, $"{Capitalize(message)}; found {Found(value)}."));
            return;
        }

        errors.AddRange(closest);
    }

    private static bool TypeMatches(IReadOnlyList<string> types, ConfigValue value) => types.Any(type => type switch
    {
        "object" => value.Kind == ConfigValueKind.Mapping,
        "array" => value.Kind == ConfigValueKind.Sequence,
        "string" => value.Kind == ConfigValueKind.String,
        "boolean" => value.TryGetBoolean(out _),
        "null" => value.Kind == ConfigValueKind.Null,
        "integer" => value.TryGetInt64(out _) || (value.TryGetDecimal(out var d) && d == decimal.Truncate(d)),
        "number" => value.TryGetDouble(out _),
        _ => false,
    });

    private static bool EqualsJson(ConfigValue value, JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.String => value.Kind == ConfigValueKind.String && value.Text == element.GetString(),
        JsonValueKind.Number => value.TryGetDecimal(out var number) && number == element.GetDecimal(),
        JsonValueKind.True => value.TryGetBoolean(out var t) && t,
        JsonValueKind.False => value.TryGetBoolean(out var f) && !f,
        JsonValueKind.Null => value.Kind == ConfigValueKind.Null,
        _ => false,
    };

    private static string JsonText(JsonElement element) => element.ValueKind == JsonValueKind.String ? element.GetString()! : element.GetRawText();

    private static string TypeName(string type) => type switch
    {
        "object" => "a mapping",
        "array" => "a sequence",
        "string" => "a string",
        "boolean" => "a boolean",
        "null" => "null",
        "integer" => "an integer",
        _ => "a number",
    };

    private static string Found(ConfigValue value) => value.IsScalar ? value.Describe() : ConfigValue.KindName(value.Kind);

    private static string Capitalize(string text) => text.Length == 0 ? text : char.ToUpper(text[0], CultureInfo.InvariantCulture) + text[1..];

    private static ConfigurationError Error(string code, ConfigValue value, string message) => new(code, value.Path, message, value.Location);
}
