using System.Globalization;
using System.Text.Json;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal;

/// <summary>Parses schema JSON into <see cref="AvroSchema"/> objects, resolving names and validating as it goes.</summary>
internal sealed class SchemaParser
{
    private readonly Dictionary<string, NamedSchema> _names = new(StringComparer.Ordinal);

    private SchemaParser()
    {
    }

    public static AvroSchema Parse(string json)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new AvroSchemaException("$", "the schema is not valid JSON: " + ex.Message, ex);
        }

        using (doc)
        {
            var parser = new SchemaParser();
            var schema = parser.ParseSchema(doc.RootElement, null, "$");
            return schema;
        }
    }

    private AvroSchema ParseSchema(JsonElement e, string? ns, string path)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return ParseReference(e.GetString()!, ns, path);
            case JsonValueKind.Array:
                return ParseUnion(e, ns, path);
            case JsonValueKind.Object:
                return ParseObject(e, ns, path);
            default:
                throw new AvroSchemaException(path, $"a schema must be a string, an object or an array, not {e.ValueKind}");
        }
    }

    private AvroSchema ParseReference(string name, string? ns, string path)
    {
        if (TryPrimitive(name, out var type))
        {
            return Primitives.Get(type);
        }

        if (name.Contains('.', StringComparison.Ordinal) || ns is null)
        {
            if (_names.TryGetValue(name, out var n))
            {
                return n;
            }
        }
        else
        {
            if (_names.TryGetValue(ns + "." + name, out var n) || _names.TryGetValue(name, out n))
            {
                return n;
            }
        }

        throw new AvroSchemaException(path, $"unknown type '{name}' (not a primitive type nor a named type defined before this point)");
    }

    private UnionSchema ParseUnion(JsonElement e, string? ns, string path)
    {
        var branches = new List<AvroSchema>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var item in e.EnumerateArray())
        {
            var p = $"{path}[{i}]";
            var b = ParseSchema(item, ns, p);
            if (b is UnionSchema)
            {
                throw new AvroSchemaException(p, "a union may not directly contain another union");
            }

            if (!seen.Add(b.DisplayName))
            {
                throw new AvroSchemaException(p, $"the union contains '{b.DisplayName}' more than once");
            }

            branches.Add(b);
            i++;
        }

        return new UnionSchema(branches);
    }

    private AvroSchema ParseObject(JsonElement e, string? ns, string path)
    {
        if (!e.TryGetProperty("type", out var typeEl))
        {
            throw new AvroSchemaException(path, "the schema object has no 'type' attribute");
        }

        if (typeEl.ValueKind != JsonValueKind.String)
        {
            return ParseSchema(typeEl, ns, path + ".type");
        }

        var typeName = typeEl.GetString()!;
        if (TryPrimitive(typeName, out var prim))
        {
            return ParsePrimitive(e, prim);
        }

        switch (typeName)
        {
            case "record":
            case "error":
                return ParseRecord(e, ns, path);
            case "enum":
                return ParseEnum(e, ns, path);
            case "fixed":
                return ParseFixed(e, ns, path);
            case "array":
                if (!e.TryGetProperty("items", out var items))
                {
                    throw new AvroSchemaException(path, "an array schema needs an 'items' attribute");
                }

                return new ArraySchema(ParseSchema(items, ns, path + ".items"));
            case "map":
                if (!e.TryGetProperty("values", out var values))
                {
                    throw new AvroSchemaException(path, "a map schema needs a 'values' attribute");
                }

                return new MapSchema(ParseSchema(values, ns, path + ".values"));
            default:
                return ParseReference(typeName, ns, path + ".type");
        }
    }

    private static PrimitiveSchema ParsePrimitive(JsonElement e, AvroType type)
    {
        var logical = LogicalName(e);
        if (logical is null)
        {
            return Primitives.Get(type);
        }

        var lt = (logical, type) switch
        {
            ("decimal", AvroType.Bytes) => AvroLogicalType.Decimal,
            ("uuid", AvroType.String) => AvroLogicalType.Uuid,
            ("date", AvroType.Int) => AvroLogicalType.Date,
            ("time-millis", AvroType.Int) => AvroLogicalType.TimeMillis,
            ("time-micros", AvroType.Long) => AvroLogicalType.TimeMicros,
            ("timestamp-millis", AvroType.Long) => AvroLogicalType.TimestampMillis,
            ("timestamp-micros", AvroType.Long) => AvroLogicalType.TimestampMicros,
            ("local-timestamp-millis", AvroType.Long) => AvroLogicalType.LocalTimestampMillis,
            ("local-timestamp-micros", AvroType.Long) => AvroLogicalType.LocalTimestampMicros,
            _ => AvroLogicalType.None,
        };

        if (lt == AvroLogicalType.Decimal)
        {
            // An invalid decimal is ignored, as the specification requires: the schema is plain bytes.
            return TryDecimal(e, int.MaxValue, out var precision, out var scale)
                ? new PrimitiveSchema(type, lt, precision, scale)
                : Primitives.Get(type);
        }

        return lt == AvroLogicalType.None ? Primitives.Get(type) : new PrimitiveSchema(type, lt);
    }

    private static bool TryDecimal(JsonElement e, int maxPrecision, out int precision, out int scale)
    {
        precision = 0;
        scale = 0;
        if (!e.TryGetProperty("precision", out var p) || p.ValueKind != JsonValueKind.Number || !p.TryGetInt32(out precision) || precision <= 0 || precision > maxPrecision)
        {
            return false;
        }

        if (e.TryGetProperty("scale", out var s))
        {
            if (s.ValueKind != JsonValueKind.Number || !s.TryGetInt32(out scale) || scale < 0)
            {
                return false;
            }
        }

        return scale <= precision;
    }

    private static string? LogicalName(JsonElement e) =>
        e.TryGetProperty("logicalType", out var l) && l.ValueKind == JsonValueKind.String ? l.GetString() : null;

    private RecordSchema ParseRecord(JsonElement e, string? ns, string path)
    {
        var (name, space) = ParseName(e, ns, path);
        var record = new RecordSchema(name, space, ParseAliases(e, space, path), Doc(e));
        Register(record, path);
        if (!e.TryGetProperty("fields", out var fieldsEl) || fieldsEl.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException(path, $"record '{record.FullName}' needs a 'fields' array");
        }

        var fields = new List<AvroField>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var f in fieldsEl.EnumerateArray())
        {
            var fp = $"{path}.fields[{i}]";
            if (f.ValueKind != JsonValueKind.Object)
            {
                throw new AvroSchemaException(fp, "a field must be an object");
            }

            if (!f.TryGetProperty("name", out var fn) || fn.ValueKind != JsonValueKind.String)
            {
                throw new AvroSchemaException(fp, "a field needs a string 'name'");
            }

            var fieldName = fn.GetString()!;
            if (!IsValidName(fieldName))
            {
                throw new AvroSchemaException(fp + ".name", $"'{fieldName}' is not a valid field name (must match [A-Za-z_][A-Za-z0-9_]*)");
            }

            if (!names.Add(fieldName))
            {
                throw new AvroSchemaException(fp + ".name", $"record '{record.FullName}' has more than one field named '{fieldName}'");
            }

            if (!f.TryGetProperty("type", out var ft))
            {
                throw new AvroSchemaException(fp, $"field '{fieldName}' has no 'type'");
            }

            var fieldSchema = ParseSchema(ft, space, fp + ".type");
            var hasDefault = f.TryGetProperty("default", out var def);
            var aliases = new List<string>();
            if (f.TryGetProperty("aliases", out var al) && al.ValueKind == JsonValueKind.Array)
            {
                aliases.AddRange(al.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.String).Select(a => a.GetString()!));
            }

            object? defaultValue = null;
            if (hasDefault)
            {
                defaultValue = DefaultValues.Parse(fieldSchema, def, fp + ".default");
            }

            fields.Add(new AvroField(fieldName, i, fieldSchema, hasDefault, defaultValue, hasDefault ? def.Clone() : null, aliases, Doc(f)));
            i++;
        }

        record.SetFields([.. fields]);
        return record;
    }

    private EnumSchema ParseEnum(JsonElement e, string? ns, string path)
    {
        var (name, space) = ParseName(e, ns, path);
        if (!e.TryGetProperty("symbols", out var symEl) || symEl.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException(path, $"enum '{name}' needs a 'symbols' array");
        }

        var symbols = new List<string>();
        var i = 0;
        foreach (var s in symEl.EnumerateArray())
        {
            var sp = $"{path}.symbols[{i++}]";
            if (s.ValueKind != JsonValueKind.String || !IsValidName(s.GetString()!))
            {
                throw new AvroSchemaException(sp, "an enum symbol must be a string matching [A-Za-z_][A-Za-z0-9_]*");
            }

            if (symbols.Contains(s.GetString()!))
            {
                throw new AvroSchemaException(sp, $"enum '{name}' has the symbol '{s.GetString()}' more than once");
            }

            symbols.Add(s.GetString()!);
        }

        string? defaultSymbol = null;
        if (e.TryGetProperty("default", out var d))
        {
            defaultSymbol = d.ValueKind == JsonValueKind.String ? d.GetString() : null;
            if (defaultSymbol is null || !symbols.Contains(defaultSymbol))
            {
                throw new AvroSchemaException(path + ".default", $"the default of enum '{name}' must be one of its symbols");
            }
        }

        var schema = new EnumSchema(name, space, ParseAliases(e, space, path), Doc(e), symbols, defaultSymbol);
        Register(schema, path);
        return schema;
    }

    private FixedSchema ParseFixed(JsonElement e, string? ns, string path)
    {
        var (name, space) = ParseName(e, ns, path);
        if (!e.TryGetProperty("size", out var sizeEl) || sizeEl.ValueKind != JsonValueKind.Number || !sizeEl.TryGetInt32(out var size) || size < 0)
        {
            throw new AvroSchemaException(path + ".size", $"fixed '{name}' needs a non-negative integer 'size'");
        }

        var lt = AvroLogicalType.None;
        int precision = 0, scale = 0;
        if (LogicalName(e) == "decimal" && TryDecimal(e, MaxFixedPrecision(size), out precision, out scale))
        {
            lt = AvroLogicalType.Decimal;
        }

        var schema = new FixedSchema(name, space, ParseAliases(e, space, path), Doc(e), size, lt, precision, scale);
        Register(schema, path);
        return schema;
    }

    private static int MaxFixedPrecision(int size)
    {
        if (size == 0)
        {
            return 0;
        }

        // floor(log10(2^(8*size-1) - 1))
        var max = System.Numerics.BigInteger.Pow(2, (8 * size) - 1) - 1;
        return max.IsZero ? 0 : (int)Math.Floor(System.Numerics.BigInteger.Log10(max));
    }

    private static (string Name, string? Namespace) ParseName(JsonElement e, string? ns, string path)
    {
        if (!e.TryGetProperty("name", out var n) || n.ValueKind != JsonValueKind.String)
        {
            throw new AvroSchemaException(path, "a named type needs a string 'name'");
        }

        var full = n.GetString()!;
        string name;
        string? space;
        var dot = full.LastIndexOf('.');
        if (dot >= 0)
        {
            name = full[(dot + 1)..];
            space = full[..dot];
        }
        else
        {
            name = full;
            space = e.TryGetProperty("namespace", out var nsEl)
                ? nsEl.ValueKind switch
                {
                    JsonValueKind.String => nsEl.GetString(),
                    JsonValueKind.Null => null,
                    _ => throw new AvroSchemaException(path + ".namespace", "a namespace must be a string"),
                }
                : ns;
        }

        if (string.IsNullOrEmpty(space))
        {
            space = null;
        }

        if (!IsValidName(name))
        {
            throw new AvroSchemaException(path + ".name", $"'{full}' is not a valid name (must match [A-Za-z_][A-Za-z0-9_]*)");
        }

        if (space is not null && !space.Split('.').All(IsValidName))
        {
            throw new AvroSchemaException(path + ".namespace", $"'{space}' is not a valid namespace (dot-separated names)");
        }

        if (space is null && TryPrimitive(name, out _))
        {
            throw new AvroSchemaException(path + ".name", $"'{name}' is a primitive type name and cannot name a type");
        }

        return (name, space);
    }

    private static List<string> ParseAliases(JsonElement e, string? space, string path)
    {
        var result = new List<string>();
        if (!e.TryGetProperty("aliases", out var al))
        {
            return result;
        }

        if (al.ValueKind != JsonValueKind.Array)
        {
            throw new AvroSchemaException(path + ".aliases", "aliases must be an array of strings");
        }

        foreach (var a in al.EnumerateArray())
        {
            if (a.ValueKind != JsonValueKind.String)
            {
                throw new AvroSchemaException(path + ".aliases", "aliases must be an array of strings");
            }

            var alias = a.GetString()!;
            result.Add(alias.Contains('.', StringComparison.Ordinal) || space is null ? alias : space + "." + alias);
        }

        return result;
    }

    private void Register(NamedSchema schema, string path)
    {
        if (!_names.TryAdd(schema.FullName, schema))
        {
            throw new AvroSchemaException(path + ".name", $"the name '{schema.FullName}' is defined more than once");
        }
    }

    private static string? Doc(JsonElement e) =>
        e.TryGetProperty("doc", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;

    internal static bool IsValidName(string name)
    {
        if (name.Length == 0 || !(char.IsAsciiLetter(name[0]) || name[0] == '_'))
        {
            return false;
        }

        foreach (var c in name.AsSpan(1))
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryPrimitive(string name, out AvroType type)
    {
        type = name switch
        {
            "null" => AvroType.Null,
            "boolean" => AvroType.Boolean,
            "int" => AvroType.Int,
            "long" => AvroType.Long,
            "float" => AvroType.Float,
            "double" => AvroType.Double,
            "bytes" => AvroType.Bytes,
            "string" => AvroType.String,
            _ => AvroType.Record,
        };
        return type != AvroType.Record;
    }

    internal static string Format(int value) => value.ToString(CultureInfo.InvariantCulture);
}
