using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using DataWeaver.Errors;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Serialization.Avro.Records;

/// <summary>
/// Avro values as <see cref="JsonRecord"/>s, in the JSON mapping of <see cref="AvroJsonWriter"/> and
/// <see cref="AvroJsonReader"/> (unions as their bare value, bytes as base64, logical types as ISO-8601 or decimal
/// strings): how pipelines from definition files carry Avro data. Thread-safe.
/// </summary>
public static class AvroJsonRecords
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Turns a generic value (a record of the schema) into a JSON record.</summary>
    /// <param name="schema">The value's schema; its top level is a record.</param>
    /// <param name="value">The generic value.</param>
    /// <returns>The record, owning its bytes.</returns>
    /// <exception cref="DataWeaverException">The value does not fit the schema, or is not a record (a data error).</exception>
    public static JsonRecord ToRecord(AvroSchema schema, object? value)
    {
        ArgumentNullException.ThrowIfNull(schema);
        if (value is not GenericRecord)
        {
            throw new DataWeaverException(ErrorClass.Data, $"pipelines carry records, one per datum; the datum is {AvroText.Describe(schema)}");
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            AvroJsonWriter.Write(writer, schema, value);
        }

        return JsonRecord.Parse(buffer.WrittenMemory);
    }

    /// <summary>Decodes one Avro datum (binary encoding, no framing) as a JSON record.</summary>
    /// <param name="datum">The datum's bytes.</param>
    /// <param name="writerSchema">The schema it was written with.</param>
    /// <param name="readerSchema">The schema to resolve it to, or <see langword="null"/> for the writer schema.</param>
    /// <returns>The record.</returns>
    /// <exception cref="DeserializationException">The bytes are not a datum of the writer schema.</exception>
    /// <exception cref="DataWeaverException">The datum is not a record (a data error).</exception>
    public static JsonRecord Read(ReadOnlySpan<byte> datum, AvroSchema writerSchema, AvroSchema? readerSchema = null) =>
        ToRecord(readerSchema ?? writerSchema, AvroDatum.Read(datum, writerSchema, readerSchema));

    /// <summary>Turns a JSON record into a generic value of a schema.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="record">The record.</param>
    /// <returns>The generic value.</returns>
    /// <exception cref="DataWeaverException">The record does not fit the schema (a data error naming the field path).</exception>
    public static object? ToValue(AvroSchema schema, in JsonRecord record)
    {
        ArgumentNullException.ThrowIfNull(schema);
        using var document = JsonDocument.Parse(record.Utf8);
        return AvroJsonReader.TryRead(schema, document.RootElement, out var value, out var failure)
            ? value
            : throw new DataWeaverException(ErrorClass.Data, $"the record does not fit the Avro schema: {failure}");
    }

    /// <summary>Encodes a JSON record as one Avro datum.</summary>
    /// <param name="schema">The schema.</param>
    /// <param name="record">The record.</param>
    /// <param name="output">Where the datum goes.</param>
    /// <exception cref="DataWeaverException">The record does not fit the schema (a data error naming the field path).</exception>
    public static void Write(AvroSchema schema, in JsonRecord record, IBufferWriter<byte> output) =>
        AvroDatum.Write(output, schema, ToValue(schema, record));
}
