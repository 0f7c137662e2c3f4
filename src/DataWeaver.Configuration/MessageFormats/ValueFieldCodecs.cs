using System.Buffers;
using System.Text;
using System.Text.Json;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>
/// The <c>string</c> format: a payload's UTF-8 text becomes <c>{"value": "text"}</c> (the field is a setting); writing
/// takes that field's text, or the record's JSON when the field is not a string.
/// </summary>
internal sealed class StringFieldCodec(string field) : IRecordSerializer<JsonRecord>, IRecordDeserializer<JsonRecord>
{
    public string Format => "string";

    public void Serialize(in JsonRecord value, IBufferWriter<byte> writer)
    {
        if (value.TryGetString(field, out var text))
        {
            Encoding.UTF8.GetBytes(text, writer);
            return;
        }

        writer.Write(value.Utf8.Span);
    }

    public JsonRecord Deserialize(ReadOnlySpan<byte> data)
    {
        if (!System.Text.Unicode.Utf8.IsValid(data))
        {
            throw new DeserializationException("string", 0, "the payload is not valid UTF-8");
        }

        return ValueFieldCodec.Wrap(field, data, base64: false);
    }

    public JsonRecord Deserialize(in ReadOnlySequence<byte> data) => Deserialize(data.IsSingleSegment ? data.FirstSpan : data.ToArray());
}

/// <summary>The <c>raw</c> format: a payload's bytes become <c>{"value": "base64"}</c>; writing decodes that field's base64.</summary>
internal sealed class RawFieldCodec(string field) : IRecordSerializer<JsonRecord>, IRecordDeserializer<JsonRecord>
{
    public string Format => "raw";

    public void Serialize(in JsonRecord value, IBufferWriter<byte> writer)
    {
        if (!value.TryGetString(field, out var base64))
        {
            throw new Errors.DataWeaverException(Errors.ErrorClass.Data, $"The raw format writes the base64 string field '{field}', which this record does not have.");
        }

        try
        {
            writer.Write(Convert.FromBase64String(base64));
        }
        catch (FormatException exception)
        {
            throw new Errors.DataWeaverException(Errors.ErrorClass.Data, $"The raw format writes the field '{field}', which is not base64: {exception.Message}", exception);
        }
    }

    public JsonRecord Deserialize(ReadOnlySpan<byte> data) => ValueFieldCodec.Wrap(field, data, base64: true);

    public JsonRecord Deserialize(in ReadOnlySequence<byte> data) => Deserialize(data.IsSingleSegment ? data.FirstSpan : data.ToArray());
}

/// <summary>Writes a one-field record.</summary>
internal static class ValueFieldCodec
{
    public static JsonRecord Wrap(string field, ReadOnlySpan<byte> data, bool base64)
    {
        var buffer = new ArrayBufferWriter<byte>(data.Length + field.Length + 16);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            if (base64)
            {
                writer.WriteBase64String(field, data);
            }
            else
            {
                writer.WriteString(field, data);
            }

            writer.WriteEndObject();
        }

        return JsonRecord.Parse(buffer.WrittenMemory);
    }
}
