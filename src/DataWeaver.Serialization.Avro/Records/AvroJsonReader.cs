using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Records;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Records;

/// <summary>
/// Reads JSON in the mapping of docs/formats.md ("Avro") into generic Avro values for a schema: exactly the forms
/// <see cref="AvroJsonWriter"/> writes, so that Avro -> JSON -> Avro gives the same records. A union takes the first
/// branch, in schema order, that accepts the JSON value. A record's missing field takes its default; a field the record
/// does not have is an error.
/// </summary>
public static class AvroJsonReader
{
    /// <summary>Reads one JSON line (a record of a JSON-lines source) as a generic value.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="line">The line; its position is the byte offset, named in errors.</param>
    /// <returns>The generic value.</returns>
    /// <exception cref="DataWeaverException">The line is not JSON or does not fit the schema (a data error naming the offset and the path).</exception>
    public static object? ReadLine(AvroSchema schema, Record<ReadOnlyMemory<byte>> line)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line.Value);
        }
        catch (JsonException exception)
        {
            throw new DataWeaverException(ErrorClass.Data, $"line at byte {line.Position.Offset}: not JSON: {exception.Message}", exception);
        }

        using var owned = document;
        return TryRead(schema, document.RootElement, out var value, out var failure)
            ? value
            : throw new DataWeaverException(ErrorClass.Data, $"line at byte {line.Position.Offset}: {failure}");
    }

    /// <summary>Reads a JSON value as a generic value of a schema.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="json">The JSON value.</param>
    /// <param name="value">The generic value, when it fits.</param>
    /// <param name="failure">Why it does not fit, with the path.</param>
    /// <returns><see langword="true"/> when the JSON fits the schema.</returns>
    public static bool TryRead(AvroSchema schema, JsonElement json, out object? value, out MappingFailure? failure)
    {
        failure = null;
        value = null;
        switch (schema.Type, json.ValueKind)
        {
            case (AvroType.Union, _):
                foreach (var branch in ((UnionSchema)schema).Branches)
                {
                    if (TryRead(branch, json, out value, out _))
                    {
                        return true;
                    }
                }

                failure = new MappingFailure($"no branch of union [{string.Join(", ", ((UnionSchema)schema).Branches.Select(AvroText.Describe))}] accepts {Describe(json)}");
                return false;
            case (AvroType.Null, JsonValueKind.Null):
                return true;
            case (AvroType.Boolean, JsonValueKind.True or JsonValueKind.False):
                value = json.GetBoolean();
                return true;
            case (AvroType.Int, JsonValueKind.Number) when schema.LogicalType == AvroLogicalType.None && json.TryGetInt32(out var i):
                value = i;
                return true;
            case (AvroType.Long, JsonValueKind.Number) when schema.LogicalType == AvroLogicalType.None && json.TryGetInt64(out var l):
                value = l;
                return true;
            case (AvroType.Float, JsonValueKind.Number) when json.TryGetSingle(out var f) && float.IsFinite(f):
                value = f;
                return true;
            case (AvroType.Double, JsonValueKind.Number) when json.TryGetDouble(out var d) && double.IsFinite(d):
                value = d;
                return true;
            case (AvroType.Bytes or AvroType.Fixed, JsonValueKind.Number) when schema.LogicalType == AvroLogicalType.Decimal:
                return AvroText.TryParse(schema, json.GetRawText(), out value, out failure);
            case (_, JsonValueKind.String) when schema.LogicalType != AvroLogicalType.None || schema.Type is AvroType.String or AvroType.Bytes or AvroType.Fixed or AvroType.Enum or AvroType.Float or AvroType.Double:
                return AvroText.TryParse(schema, json.GetString()!, out value, out failure);
            case (AvroType.Array, JsonValueKind.Array):
                return TryReadArray((ArraySchema)schema, json, out value, out failure);
            case (AvroType.Map, JsonValueKind.Object):
                return TryReadMap((MapSchema)schema, json, out value, out failure);
            case (AvroType.Record, JsonValueKind.Object):
                return TryReadRecord((RecordSchema)schema, json, out value, out failure);
            default:
                failure = new MappingFailure($"expected {AvroText.Describe(schema)}, found {Describe(json)}");
                return false;
        }
    }

    private static bool TryReadArray(ArraySchema schema, JsonElement json, out object? value, out MappingFailure? failure)
    {
        var items = new List<object?>(json.GetArrayLength());
        var index = 0;
        foreach (var item in json.EnumerateArray())
        {
            if (!TryRead(schema.Items, item, out var read, out failure))
            {
                failure!.Within($"[{index}]");
                value = null;
                return false;
            }

            items.Add(read);
            index++;
        }

        (value, failure) = (items, null);
        return true;
    }

    private static bool TryReadMap(MapSchema schema, JsonElement json, out object? value, out MappingFailure? failure)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var property in json.EnumerateObject())
        {
            if (!TryRead(schema.Values, property.Value, out var read, out failure))
            {
                failure!.Within($"[\"{property.Name}\"]");
                value = null;
                return false;
            }

            map[property.Name] = read;
        }

        (value, failure) = (map, null);
        return true;
    }

    private static bool TryReadRecord(RecordSchema schema, JsonElement json, out object? value, out MappingFailure? failure)
    {
        value = null;
        var record = new GenericRecord(schema);
        var found = 0;
        foreach (var field in schema.Fields)
        {
            if (json.TryGetProperty(field.Name, out var property))
            {
                found++;
                if (!TryRead(field.Schema, property, out var read, out failure))
                {
                    failure!.Within("." + field.Name);
                    return false;
                }

                record[field.Position] = read;
            }
            else if (field.HasDefault)
            {
                record[field.Position] = field.GetDefaultValue();
            }
            else
            {
                failure = new MappingFailure($"record '{schema.FullName}' needs the field '{field.Name}', which has no default");
                return false;
            }
        }

        if (json.EnumerateObject().Count() != found)
        {
            var extra = json.EnumerateObject().First(p => !schema.TryGetField(p.Name, out _)).Name;
            failure = new MappingFailure($"record '{schema.FullName}' has no field '{extra}' (its fields: {string.Join(", ", schema.Fields.Select(f => f.Name))})");
            return false;
        }

        (value, failure) = (record, null);
        return true;
    }

    private static string Describe(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => $"the string \"{Shorten(json.GetString()!)}\"",
        JsonValueKind.Number => $"the number {Shorten(json.GetRawText())}",
        JsonValueKind.True or JsonValueKind.False => $"the boolean {json.GetRawText()}",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        _ => "an object",
    };

    private static string Shorten(string text) => text.Length > 64 ? text[..64] + "..." : text;
}
