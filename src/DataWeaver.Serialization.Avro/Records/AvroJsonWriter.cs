using System.Buffers;
using System.Collections;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Records;

/// <summary>
/// Writes generic Avro values (as <see cref="AvroDatum"/> and the container reader produce them) as JSON, in the
/// mapping of docs/formats.md ("Avro"): records and maps as objects, arrays as arrays, unions as their value (no type wrapper),
/// bytes and fixed as base64, enums as their symbol, logical types as ISO-8601 strings, uuids as strings, decimals as
/// decimal strings.
/// </summary>
public static class AvroJsonWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes a value as JSON.</summary>
    /// <param name="writer">The JSON writer.</param>
    /// <param name="schema">The value's schema.</param>
    /// <param name="value">The generic value.</param>
    /// <exception cref="DataWeaverException">The value does not fit the schema (a data error).</exception>
    public static void Write(Utf8JsonWriter writer, AvroSchema schema, object? value)
    {
        schema = UnionBranches.Resolve(schema, value);
        switch (schema.Type, value)
        {
            case (AvroType.Null, null):
                writer.WriteNullValue();
                break;
            case (AvroType.Boolean, bool b):
                writer.WriteBooleanValue(b);
                break;
            case (AvroType.Int, int i):
                writer.WriteNumberValue(i);
                break;
            case (AvroType.Long, long l):
                writer.WriteNumberValue(l);
                break;
            case (AvroType.Float, float f):
                WriteNumber(writer, float.IsFinite(f), AvroText.FormatFloat(f));
                break;
            case (AvroType.Double, double d):
                WriteNumber(writer, double.IsFinite(d), AvroText.FormatDouble(d));
                break;
            case (AvroType.String, string s):
                writer.WriteStringValue(s);
                break;
            case (AvroType.Bytes, byte[] bytes):
                writer.WriteBase64StringValue(bytes);
                break;
            case (AvroType.Fixed, GenericFixed f):
                writer.WriteBase64StringValue(f.Value);
                break;
            case (AvroType.Enum, GenericEnum e):
                writer.WriteStringValue(e.Symbol);
                break;
            case (AvroType.Array, IList items):
                writer.WriteStartArray();
                foreach (var item in items)
                {
                    Write(writer, ((ArraySchema)schema).Items, item);
                }

                writer.WriteEndArray();
                break;
            case (AvroType.Map, IDictionary<string, object?> map):
                writer.WriteStartObject();
                foreach (var (key, item) in map)
                {
                    writer.WritePropertyName(key);
                    Write(writer, ((MapSchema)schema).Values, item);
                }

                writer.WriteEndObject();
                break;
            case (AvroType.Record, GenericRecord record):
                writer.WriteStartObject();
                foreach (var field in record.Schema.Fields)
                {
                    writer.WritePropertyName(field.Name);
                    Write(writer, field.Schema, record[field.Position]);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteStringValue(AvroText.TryFormatLogical(schema, value, out var text)
                    ? text
                    : throw new DataWeaverException(ErrorClass.Data, $"a value of type {value?.GetType().Name ?? "null"} does not fit {AvroText.Describe(schema)}"));
                break;
        }
    }

    /// <summary>Writes a value as compact JSON text.</summary>
    /// <param name="schema">The value's schema.</param>
    /// <param name="value">The generic value.</param>
    /// <returns>The JSON text.</returns>
    public static string ToJson(AvroSchema schema, object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            Write(writer, schema, value);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Creates a serializer that writes each generic value as one JSON line (for a JSON-lines sink).</summary>
    /// <param name="schema">The values' schema.</param>
    /// <returns>The serializer.</returns>
    public static IRecordSerializer<object?> Serializer(AvroSchema schema) => new LineSerializer(schema);

    private static void WriteNumber(Utf8JsonWriter writer, bool finite, string text)
    {
        if (finite)
        {
            writer.WriteRawValue(text, skipInputValidation: true); // the shortest text that reads back to the same float or double
        }
        else
        {
            writer.WriteStringValue(text);
        }
    }

    private sealed class LineSerializer(AvroSchema schema) : IRecordSerializer<object?>
    {
        public string Format => "json";

        public void Serialize(in object? value, IBufferWriter<byte> writer)
        {
            using var json = new Utf8JsonWriter(writer, Options);
            Write(json, schema, value);
        }
    }
}
