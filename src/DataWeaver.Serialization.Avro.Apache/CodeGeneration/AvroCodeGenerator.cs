using System.Text.Json;
using System.Text.Json.Nodes;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Apache.CodeGeneration;

/// <summary>
/// Generates C# classes (<see cref="global::Avro.Specific.ISpecificRecord"/> records, enums, fixeds) from <c>.avsc</c>
/// schemas with Apache.Avro's own code generator (<see cref="global::Avro.CodeGen"/>), one file per type.
/// The classes serialize with <see cref="Serializers.ApacheAvroSerializer{T}"/> (DataWeaver's codec) and with Apache.Avro.
/// </summary>
public static class AvroCodeGenerator
{
    /// <summary>Generates the classes of the given schemas into <paramref name="outputDirectory"/>.</summary>
    /// <param name="schemaJsons">The schemas as JSON text; a later schema may use the named types of an earlier one.</param>
    /// <param name="outputDirectory">Where the files go, in folders by namespace (created if missing; existing files of the same types are replaced).</param>
    /// <param name="namespaceMapping">Avro namespaces to C# namespaces (e.g. <c>com.example</c> to <c>Example.Records</c>); <see langword="null"/> keeps them.</param>
    /// <returns>The paths of the files written, sorted.</returns>
    /// <exception cref="AvroSchemaException">Apache.Avro refuses a schema, with its message.</exception>
    public static IReadOnlyList<string> Generate(IEnumerable<string> schemaJsons, string outputDirectory, IReadOnlyDictionary<string, string>? namespaceMapping = null)
    {
        ArgumentNullException.ThrowIfNull(schemaJsons);
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        var codegen = new global::Avro.CodeGen();
        var all = new List<string>();
        foreach (var json in schemaJsons)
        {
            all.Add(namespaceMapping is null or { Count: 0 } ? json.Trim() : MapNamespaces(json, namespaceMapping));
        }

        // One union of every schema, so that a later schema can use the named types of an earlier one.
        var union = "[" + string.Join(",", all.Select(j => j.StartsWith('[') ? j[1..^1] : j)) + "]";
        try
        {
            codegen.AddSchema(global::Avro.Schema.Parse(union));
        }
        catch (global::Avro.AvroException ex)
        {
            throw new AvroSchemaException("$", "Apache.Avro cannot parse the schemas: " + ex.Message, ex);
        }

        codegen.GenerateCode();
        Directory.CreateDirectory(outputDirectory);
        var types = codegen.GetTypes();
        codegen.WriteTypes(outputDirectory, skipDirectories: false);
        return [.. Directory.EnumerateFiles(outputDirectory, "*.cs", SearchOption.AllDirectories)
            .Where(p => types.Keys.Any(t => Path.GetFileNameWithoutExtension(p) == t.Split('.')[^1]))
            .Order(StringComparer.Ordinal)];
    }

    /// <summary>
    /// Renames namespaces in the schema text, both in <c>namespace</c> attributes and in full names (names, type references,
    /// aliases), which Apache.Avro's own mapping leaves unchanged in references. The generated classes carry the mapped schema.
    /// </summary>
    private static string MapNamespaces(string json, IReadOnlyDictionary<string, string> mapping)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new AvroSchemaException("$", "the schema is not JSON: " + ex.Message, ex);
        }

        return (Map(root, mapping, nameLike: true) ?? root)!.ToJsonString();
    }

    private static JsonValue? Map(JsonNode? node, IReadOnlyDictionary<string, string> mapping, bool nameLike)
    {
        switch (node)
        {
            case JsonValue value when nameLike && value.TryGetValue<string>(out var text):
                foreach (var (from, to) in mapping)
                {
                    if (text == from)
                    {
                        return JsonValue.Create(to);
                    }

                    if (text.StartsWith(from + ".", StringComparison.Ordinal))
                    {
                        return JsonValue.Create(to + text[from.Length..]);
                    }
                }

                return null;
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (Map(array[i], mapping, nameLike) is { } replaced)
                    {
                        array[i] = replaced;
                    }
                }

                return null;
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    var isName = key is "type" or "items" or "values" or "namespace" or "name" or "aliases";
                    if (key is "default" or "doc")
                    {
                        continue;
                    }

                    if (Map(obj[key], mapping, isName) is { } replaced)
                    {
                        obj[key] = replaced;
                    }
                }

                return null;
            default:
                return null;
        }
    }

    /// <summary>Generates the classes of the given <c>.avsc</c> files into <paramref name="outputDirectory"/>.</summary>
    /// <param name="schemaFiles">The schema files, in dependency order.</param>
    /// <param name="outputDirectory">Where the files go.</param>
    /// <param name="namespaceMapping">Avro namespaces to C# namespaces; <see langword="null"/> keeps them.</param>
    /// <returns>The paths of the files written, sorted.</returns>
    public static IReadOnlyList<string> GenerateFromFiles(IEnumerable<string> schemaFiles, string outputDirectory, IReadOnlyDictionary<string, string>? namespaceMapping = null)
    {
        ArgumentNullException.ThrowIfNull(schemaFiles);
        return Generate(schemaFiles.Select(File.ReadAllText).ToList(), outputDirectory, namespaceMapping);
    }
}
