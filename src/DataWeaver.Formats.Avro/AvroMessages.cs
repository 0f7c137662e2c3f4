using System.Buffers;
using System.Globalization;
using DataWeaver.Configuration;
using DataWeaver.Errors;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Avro.Framing;
using DataWeaver.Serialization.Avro.Records;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Formats.Avro;

/// <summary>The <c>avro</c> format for messages: each payload is one datum, bare or behind the Confluent wire header.</summary>
internal sealed class AvroMessages(AvroFormatOptions options) : IRecordSerializer<JsonRecord>, IRecordDeserializer<JsonRecord>
{
    public string Format => "avro";

    public static JsonRecordFormat Create(AvroFormatOptions options)
    {
        var codec = new AvroMessages(options);
        return new JsonRecordFormat("avro", codec, codec);
    }

    public void Serialize(in JsonRecord value, IBufferWriter<byte> writer)
    {
        var schema = options.Schema ?? throw new DataWeaverException(ErrorClass.Fatal, "Writing Avro messages needs the format's schema (schema or schemaFile).");
        if (!options.ConfluentFraming)
        {
            AvroJsonRecords.Write(schema, value, writer);
            return;
        }

        var id = options.SchemaId ?? throw new DataWeaverException(ErrorClass.Fatal, "Writing Confluent-framed Avro needs the format's schemaId.");
        ConfluentWireFormat.Write(writer, id, schema, AvroJsonRecords.ToValue(schema, value));
    }

    public JsonRecord Deserialize(ReadOnlySpan<byte> data)
    {
        var schema = options.Schema ?? throw new DeserializationException("avro", 0, "reading Avro messages needs the format's schema (schema or schemaFile)");
        try
        {
            if (!options.ConfluentFraming)
            {
                return AvroJsonRecords.Read(data, schema);
            }

            var id = ConfluentWireFormat.ReadSchemaId(data);
            if (options.SchemaId is { } expected && id != expected)
            {
                throw new DeserializationException("avro", 1, string.Create(CultureInfo.InvariantCulture, $"the message's schema id is {id}; this format reads id {expected}"));
            }

            return AvroJsonRecords.ToRecord(schema, ConfluentWireFormat.Read(data, _ => schema));
        }
        catch (DataWeaverException exception) when (exception is not DeserializationException && exception.ErrorClass == ErrorClass.Data)
        {
            throw new DeserializationException("avro", 0, exception.Message, exception);
        }
    }

    public JsonRecord Deserialize(in ReadOnlySequence<byte> data) => Deserialize(data.IsSingleSegment ? data.FirstSpan : data.ToArray());
}
