using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal;

/// <summary>Writes a schema as Parsing Canonical Form or as full JSON.</summary>
internal static class SchemaJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, Indented = false };

    public static string Write(AvroSchema schema, bool canonical)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            Write(writer, schema, canonical, new HashSet<string>(StringComparer.Ordinal));
        }

        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    private static void Write(Utf8JsonWriter w, AvroSchema schema, bool canonical, HashSet<string> seen)
    {
        switch (schema)
        {
            case PrimitiveSchema p:
                if (canonical || p.LogicalType == AvroLogicalType.None)
                {
                    w.WriteStringValue(AvroSchema.TypeName(p.Type));
                    return;
                }

                w.WriteStartObject();
                w.WriteString("type", AvroSchema.TypeName(p.Type));
                WriteLogical(w, p);
                w.WriteEndObject();
                return;
            case NamedSchema named when !seen.Add(named.FullName):
                w.WriteStringValue(named.FullName);
                return;
            case RecordSchema r:
                w.WriteStartObject();
                w.WriteString("name", r.FullName);
                w.WriteString("type", "record");
                WriteNamedExtras(w, r, canonical);
                w.WriteStartArray("fields");
                foreach (var f in r.Fields)
                {
                    w.WriteStartObject();
                    w.WriteString("name", f.Name);
                    w.WritePropertyName("type");
                    Write(w, f.Schema, canonical, seen);
                    if (!canonical)
                    {
                        if (f.DefaultJson is { } d)
                        {
                            w.WritePropertyName("default");
                            d.WriteTo(w);
                        }

                        WriteAliases(w, f.Aliases);
                        if (f.Doc is not null)
                        {
                            w.WriteString("doc", f.Doc);
                        }
                    }

                    w.WriteEndObject();
                }

                w.WriteEndArray();
                w.WriteEndObject();
                return;
            case EnumSchema e:
                w.WriteStartObject();
                w.WriteString("name", e.FullName);
                w.WriteString("type", "enum");
                w.WriteStartArray("symbols");
                foreach (var s in e.Symbols)
                {
                    w.WriteStringValue(s);
                }

                w.WriteEndArray();
                WriteNamedExtras(w, e, canonical);
                if (!canonical && e.Default is not null)
                {
                    w.WriteString("default", e.Default);
                }

                w.WriteEndObject();
                return;
            case FixedSchema fx:
                w.WriteStartObject();
                w.WriteString("name", fx.FullName);
                w.WriteString("type", "fixed");
                w.WriteNumber("size", fx.Size);
                WriteNamedExtras(w, fx, canonical);
                if (!canonical)
                {
                    WriteLogical(w, fx);
                }

                w.WriteEndObject();
                return;
            case ArraySchema a:
                w.WriteStartObject();
                w.WriteString("type", "array");
                w.WritePropertyName("items");
                Write(w, a.Items, canonical, seen);
                w.WriteEndObject();
                return;
            case MapSchema m:
                w.WriteStartObject();
                w.WriteString("type", "map");
                w.WritePropertyName("values");
                Write(w, m.Values, canonical, seen);
                w.WriteEndObject();
                return;
            case UnionSchema u:
                w.WriteStartArray();
                foreach (var b in u.Branches)
                {
                    Write(w, b, canonical, seen);
                }

                w.WriteEndArray();
                return;
            default:
                throw new InvalidOperationException("Unknown schema kind " + schema.GetType().Name);
        }
    }

    private static void WriteNamedExtras(Utf8JsonWriter w, NamedSchema n, bool canonical)
    {
        if (canonical)
        {
            return;
        }

        WriteAliases(w, n.Aliases);
        if (n.Doc is not null)
        {
            w.WriteString("doc", n.Doc);
        }
    }

    private static void WriteAliases(Utf8JsonWriter w, IReadOnlyList<string> aliases)
    {
        if (aliases.Count == 0)
        {
            return;
        }

        w.WriteStartArray("aliases");
        foreach (var a in aliases)
        {
            w.WriteStringValue(a);
        }

        w.WriteEndArray();
    }

    private static void WriteLogical(Utf8JsonWriter w, AvroSchema s)
    {
        if (s.LogicalType == AvroLogicalType.None)
        {
            return;
        }

        w.WriteString("logicalType", AvroSchema.LogicalTypeName(s.LogicalType));
        if (s.LogicalType == AvroLogicalType.Decimal)
        {
            w.WriteNumber("precision", s.Precision);
            w.WriteNumber("scale", s.Scale);
        }
    }
}
