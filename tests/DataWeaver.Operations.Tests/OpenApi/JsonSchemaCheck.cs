using System.Text.Json;

namespace DataWeaver.Operations.Tests.OpenApi;

/// <summary>
/// Checks a JSON value against the subset of JSON Schema the OpenAPI document uses: $ref, type (with "null"),
/// required, properties, additionalProperties false, items, enum, oneOf. Returns every mismatch with its path.
/// </summary>
internal static class JsonSchemaCheck
{
    public static List<string> Check(JsonElement document, JsonElement schema, JsonElement value, string path = "$")
    {
        var errors = new List<string>();
        Check(document, schema, value, path, errors);
        return errors;
    }

    private static void Check(JsonElement document, JsonElement schema, JsonElement value, string path, List<string> errors)
    {
        if (schema.TryGetProperty("$ref", out var reference))
        {
            var target = document;
            foreach (var part in reference.GetString()!.TrimStart('#', '/').Split('/'))
            {
                target = target.GetProperty(part);
            }

            Check(document, target, value, path, errors);
            return;
        }

        if (schema.TryGetProperty("oneOf", out var oneOf))
        {
            if (!oneOf.EnumerateArray().Any(option => Check(document, option, value, path).Count == 0))
            {
                errors.Add($"{path}: matches none of oneOf");
            }

            return;
        }

        if (schema.TryGetProperty("type", out var type))
        {
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()!).ToList() : [type.GetString()!];
            if (!types.Any(t => Is(t, value)))
            {
                errors.Add($"{path}: {value.ValueKind} is not {string.Join("|", types)}");
                return;
            }
        }

        if (schema.TryGetProperty("enum", out var values) && !values.EnumerateArray().Any(v => v.ToString() == value.ToString()))
        {
            errors.Add($"{path}: '{value}' is not one of {values}");
        }

        if (value.ValueKind == JsonValueKind.Object)
        {
            var properties = schema.TryGetProperty("properties", out var p) ? p : default;
            if (schema.TryGetProperty("required", out var required))
            {
                foreach (var name in required.EnumerateArray().Select(r => r.GetString()!).Where(name => !value.TryGetProperty(name, out _)))
                {
                    errors.Add($"{path}: missing required '{name}'");
                }
            }

            foreach (var property in value.EnumerateObject())
            {
                if (properties.ValueKind == JsonValueKind.Object && properties.TryGetProperty(property.Name, out var propertySchema))
                {
                    Check(document, propertySchema, property.Value, $"{path}.{property.Name}", errors);
                }
                else if (schema.TryGetProperty("additionalProperties", out var additional) && additional.ValueKind == JsonValueKind.False)
                {
                    errors.Add($"{path}: '{property.Name}' is not in the description");
                }
            }
        }

        if (value.ValueKind == JsonValueKind.Array && schema.TryGetProperty("items", out var items))
        {
            var i = 0;
            foreach (var item in value.EnumerateArray())
            {
                Check(document, items, item, $"{path}[{i++}]", errors);
            }
        }
    }

    private static bool Is(string type, JsonElement value) => type switch
    {
        "object" => value.ValueKind == JsonValueKind.Object,
        "array" => value.ValueKind == JsonValueKind.Array,
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        _ => false,
    };
}
