using System.Buffers;
using Avro.IO;
using Avro.Specific;
using DataWeaver.Interop.Generated;
using DataWeaver.Serialization.Avro.Apache.Schemas;
using DataWeaver.Serialization.Avro.Apache.Serializers;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;
using ApacheRecord = Avro.Generic.GenericRecord;

namespace DataWeaver.Serialization.Avro.Apache.Tests.Docs;

/// <summary>The C# examples of the "Apache.Avro interop" section of docs/serialization/avro.md (checked against the page by DocSnippetTests), run here.</summary>
public sealed class ApacheInteropDocsExamples
{
    [Fact]
    public void SpecificRecord_Example_SameBytesAsApacheAndRoundTrips()
    {
        var inner = new Inner { id = 7, label = "seven" };

        // snippet: avro-apache-specific
        // Inner was generated from its .avsc by `dataweaver avro codegen` (Apache.Avro's Avro.CodeGen)
        var serializer = new ApacheAvroSerializer<Inner>();       // the schema comes from the generated class
        var deserializer = new ApacheAvroDeserializer<Inner>();
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(inner, buffer);                     // the bytes Apache's SpecificDatumWriter writes
        Inner back = deserializer.Deserialize(buffer.WrittenSpan);
        // end snippet

        using var stream = new MemoryStream();
        new SpecificDatumWriter<Inner>(Inner._SCHEMA).Write(inner, new BinaryEncoder(stream));
        Assert.Equal(stream.ToArray(), buffer.WrittenSpan.ToArray());
        Assert.Equal(7, back.id);
        Assert.Equal("seven", back.label);
    }

    [Fact]
    public void GenericRecord_Example_ConfluentFramingAndSchemaConversion()
    {
        // snippet: avro-apache-generic
        AvroSchema schema = ApacheSchemas.FromApache(Inner._SCHEMA);               // Apache.Avro schema -> ours
        global::Avro.Schema apacheSchema = ApacheSchemas.ToApache(schema);          // ours -> Apache.Avro schema
        var record = new ApacheRecord((global::Avro.RecordSchema)apacheSchema);
        record.Add("id", 1);
        record.Add("label", null);
        var options = new AvroSerializerOptions { Framing = AvroFraming.Confluent, SchemaId = 42 };
        var buffer = new ArrayBufferWriter<byte>();
        new ApacheAvroSerializer<ApacheRecord>(schema, options).Serialize(record, buffer);
        ApacheRecord back = new ApacheAvroDeserializer<ApacheRecord>(schema, options).Deserialize(buffer.WrittenSpan);
        // end snippet

        Assert.Equal(Convert.FromHexString("000000002A0200"), buffer.WrittenSpan.ToArray());
        Assert.Equal(1, back["id"]);
        Assert.Null(back["label"]);
    }
}
