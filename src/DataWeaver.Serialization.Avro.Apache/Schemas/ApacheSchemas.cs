using System.Text.Json.Nodes;
using DataWeaver.Serialization.Avro.Schema;
using ApacheSchema = Avro.Schema;

namespace DataWeaver.Serialization.Avro.Apache.Schemas;

/// <summary>
/// Converts schemas between DataWeaver's <see cref="AvroSchema"/> and Apache.Avro's <see cref="ApacheSchema"/>,
/// through their JSON form: names, namespaces, aliases, docs, defaults and logical types survive both ways.
/// </summary>
public static class ApacheSchemas
{
    /// <summary>Converts DataWeaver's schema to an Apache.Avro schema.</summary>
    /// <param name="schema">The schema.</param>
    /// <returns>The equivalent Apache.Avro schema (same Parsing Canonical Form and fingerprint).</returns>
    /// <exception cref="AvroSchemaException">Apache.Avro refuses the schema.</exception>
    public static ApacheSchema ToApache(AvroSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        try
        {
            return ApacheSchema.Parse(schema.ToJson());
        }
        catch (global::Avro.AvroException ex)
        {
            throw new AvroSchemaException("$", "Apache.Avro cannot parse the schema: " + ex.Message, ex);
        }
    }

    /// <summary>Converts an Apache.Avro schema to DataWeaver's schema.</summary>
    /// <param name="schema">The Apache.Avro schema.</param>
    /// <returns>The equivalent DataWeaver schema (same Parsing Canonical Form and fingerprint).</returns>
    /// <exception cref="AvroSchemaException">The schema is not valid for DataWeaver's parser, naming the JSON path.</exception>
    public static AvroSchema FromApache(ApacheSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        var json = JsonNode.Parse(schema.ToString());
        return AvroSchema.Parse(Normalize(json)!.ToJsonString());
    }

    /// <summary>
    /// Apache.Avro writes a logical type on a named type as a wrapper, <c>{"type": {"type": "fixed", ...}, "logicalType": "decimal", ...}</c>;
    /// the specification (and DataWeaver's parser) puts the attributes on the fixed itself. Moves them there.
    /// </summary>
    private static JsonNode? Normalize(JsonNode? node)
    {
        switch (node)
        {
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    var item = Normalize(array[i]);
                    if (!ReferenceEquals(item, array[i]))
                    {
                        array[i] = item?.DeepClone();
                    }
                }

                return array;
            case JsonObject obj:
                foreach (var key in obj.Select(p => p.Key).ToList())
                {
                    if (key is "type" or "items" or "values" or "fields")
                    {
                        var child = obj[key];
                        var normalized = Normalize(child);
                        if (!ReferenceEquals(normalized, child))
                        {
                            obj[key] = normalized?.DeepClone();
                        }
                    }
                }

                if (obj["logicalType"] is not null && obj["type"] is JsonObject inner && obj.Any(p => p.Key != "type") && inner["type"]?.GetValue<string>() is "fixed" or "bytes" or "record" or "enum")
                {
                    var merged = (JsonObject)inner.DeepClone();
                    foreach (var (key, value) in obj)
                    {
                        if (key != "type")
                        {
                            merged[key] = value?.DeepClone();
                        }
                    }

                    return merged;
                }

                return obj;
            default:
                return node;
        }
    }
}
