using System.Text.Json;
using System.Text.RegularExpressions;

namespace DataWeaver.Configuration.Schema.Internal;

/// <summary>
/// One compiled subschema of the JSON Schema subset the pipeline schema uses: type, properties, required,
/// additionalProperties, enum, const, minimum, maximum, exclusiveMinimum, exclusiveMaximum, minLength, pattern,
/// items, minItems, maxItems, oneOf, anyOf, $ref into $defs; annotations (title, description, default, examples,
/// errorMessage) are kept or ignored. Any other keyword is refused, so the schema cannot drift out of the subset.
/// </summary>
internal sealed class SchemaNode
{
    private static readonly HashSet<string> Annotations = ["$schema", "$id", "$comment", "title", "description", "default", "examples", "deprecated", "markdownDescription"];

    public IReadOnlyList<string>? Types { get; private set; }

    public Dictionary<string, SchemaNode> Properties { get; } = new(StringComparer.Ordinal);

    public IReadOnlyList<string> Required { get; private set; } = [];

    /// <summary>Gets a value indicating whether keys not in <see cref="Properties"/> are refused (<c>additionalProperties: false</c>).</summary>
    public bool ClosedProperties { get; private set; }

    public SchemaNode? AdditionalProperties { get; private set; }

    public IReadOnlyList<JsonElement>? Enum { get; private set; }

    public JsonElement? Const { get; private set; }

    public decimal? Minimum { get; private set; }

    public decimal? Maximum { get; private set; }

    public decimal? ExclusiveMinimum { get; private set; }

    public decimal? ExclusiveMaximum { get; private set; }

    public int? MinLength { get; private set; }

    public Regex? Pattern { get; private set; }

    public SchemaNode? Items { get; private set; }

    public int? MinItems { get; private set; }

    public int? MaxItems { get; private set; }

    public IReadOnlyList<SchemaNode>? OneOf { get; private set; }

    public IReadOnlyList<SchemaNode>? AnyOf { get; private set; }

    public string? Ref { get; private set; }

    public SchemaNode? Resolved { get; set; }

    public string? ErrorMessage { get; private set; }

    public string? Description { get; private set; }

    /// <summary>Compiles a schema document: the root and its <c>$defs</c>, with every <c>$ref</c> resolved.</summary>
    public static SchemaNode Compile(JsonElement root)
    {
        Dictionary<string, SchemaNode> definitions = new(StringComparer.Ordinal);
        List<SchemaNode> references = [];
        var node = Compile(root, definitions, references, isRoot: true);
        foreach (var reference in references)
        {
            const string prefix = "#/$defs/";
            if (!reference.Ref!.StartsWith(prefix, StringComparison.Ordinal) || !definitions.TryGetValue(reference.Ref[prefix.Length..], out var target))
            {
                throw new InvalidOperationException($"The schema's $ref '{reference.Ref}' does not name one of its $defs.");
            }

            reference.Resolved = target;
        }

        return node;
    }

    private static SchemaNode Compile(JsonElement element, Dictionary<string, SchemaNode> definitions, List<SchemaNode> references, bool isRoot = false)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidOperationException("Every subschema must be an object.");
        }

        var node = new SchemaNode();
        foreach (var keyword in element.EnumerateObject())
        {
            var value = keyword.Value;
            switch (keyword.Name)
            {
                case "type":
                    node.Types = value.ValueKind == JsonValueKind.Array ? [.. value.EnumerateArray().Select(t => t.GetString()!)] : [value.GetString()!];
                    break;
                case "properties":
                    foreach (var property in value.EnumerateObject())
                    {
                        node.Properties[property.Name] = Compile(property.Value, definitions, references);
                    }

                    break;
                case "required":
                    node.Required = [.. value.EnumerateArray().Select(r => r.GetString()!)];
                    break;
                case "additionalProperties" when value.ValueKind == JsonValueKind.False:
                    node.ClosedProperties = true;
                    break;
                case "additionalProperties" when value.ValueKind == JsonValueKind.True:
                    break;
                case "additionalProperties":
                    node.AdditionalProperties = Compile(value, definitions, references);
                    break;
                case "enum":
                    node.Enum = [.. value.EnumerateArray().Select(e => e.Clone())];
                    break;
                case "const":
                    node.Const = value.Clone();
                    break;
                case "minimum":
                    node.Minimum = value.GetDecimal();
                    break;
                case "maximum":
                    node.Maximum = value.GetDecimal();
                    break;
                case "exclusiveMinimum":
                    node.ExclusiveMinimum = value.GetDecimal();
                    break;
                case "exclusiveMaximum":
                    node.ExclusiveMaximum = value.GetDecimal();
                    break;
                case "minLength":
                    node.MinLength = value.GetInt32();
                    break;
                case "pattern":
                    node.Pattern = new Regex(value.GetString()!, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                    break;
                case "items":
                    node.Items = Compile(value, definitions, references);
                    break;
                case "minItems":
                    node.MinItems = value.GetInt32();
                    break;
                case "maxItems":
                    node.MaxItems = value.GetInt32();
                    break;
                case "oneOf":
                    node.OneOf = [.. value.EnumerateArray().Select(v => Compile(v, definitions, references))];
                    break;
                case "anyOf":
                    node.AnyOf = [.. value.EnumerateArray().Select(v => Compile(v, definitions, references))];
                    break;
                case "$ref":
                    node.Ref = value.GetString();
                    references.Add(node);
                    break;
                case "$defs" when isRoot:
                    foreach (var definition in value.EnumerateObject())
                    {
                        definitions[definition.Name] = Compile(definition.Value, definitions, references);
                    }

                    break;
                case "errorMessage":
                    node.ErrorMessage = value.GetString();
                    break;
                case "description":
                    node.Description = value.GetString();
                    break;
                default:
                    if (!Annotations.Contains(keyword.Name))
                    {
                        throw new InvalidOperationException($"The schema uses the keyword '{keyword.Name}', which the validator does not implement.");
                    }

                    break;
            }
        }

        return node;
    }

    /// <summary>Gets the node that holds the keywords: follows a <c>$ref</c> that stands with annotations only.</summary>
    public SchemaNode Effective
    {
        get
        {
            var node = this;
            while (node.Resolved is not null && node.Properties.Count == 0 && node.Types is null && node.OneOf is null && node.AnyOf is null && node.Enum is null && node.Const is null)
            {
                node = node.Resolved;
            }

            return node;
        }
    }
}
