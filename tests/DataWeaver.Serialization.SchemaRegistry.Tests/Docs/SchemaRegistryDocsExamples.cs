using System.Buffers;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using DataWeaver.Registry.Generated;
using DataWeaver.Serialization.Avro.Apache.Schemas;
using DataWeaver.Serialization.Avro.Apache.Serializers;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.SchemaRegistry.Avro;
using DataWeaver.Serialization.SchemaRegistry.Client;
using DataWeaver.Serialization.SchemaRegistry.Json;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using JsonRecord = DataWeaver.Serialization.Json.JsonRecord;
using Click = DataWeaver.Serialization.SchemaRegistry.Tests.Json.Click;

namespace DataWeaver.Serialization.SchemaRegistry.Tests.Docs;

/// <summary>The C# examples of the "Schema Registry" section of docs/serialization/avro.md (Avro and JSON Schema) (checked against the page by DocSnippetTests), run here.</summary>
public sealed class SchemaRegistryDocsExamples
{
    [Fact]
    public void Client_Example_CachedClientWithoutSecretsInText()
    {
        var password = "s3cret";

        // snippet: avro-registry-client
        var options = new SchemaRegistryClientOptions
        {
            Url = "https://registry.example:8081",
            BasicAuthUserInfo = "svc-orders:" + password,                 // never printed: ToString shows ***
        };
        using ISchemaRegistryClient client = SchemaRegistryClients.Create(options);  // Confluent's CachedSchemaRegistryClient
        // end snippet

        Assert.IsType<CachedSchemaRegistryClient>(client);
        Assert.DoesNotContain(password, options.ToString(), StringComparison.Ordinal);
        var bad = Assert.Throws<DataWeaver.Errors.DataWeaverException>(() => SchemaRegistryClients.Create(new SchemaRegistryClientOptions { Url = "ftp://x", MaxRetries = -1, BasicAuthUserInfo = password }));
        Assert.Contains("Url must be", bad.Message, StringComparison.Ordinal);
        Assert.Contains("MaxRetries must be", bad.Message, StringComparison.Ordinal);
        Assert.Contains("BasicAuthUserInfo must have", bad.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(password, bad.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SerializeDeserialize_Example_ConfluentWireFormat()
    {
        ISchemaRegistryClient client = new InMemorySchemaRegistry(firstId: 12);
        var schema = AvroSchema.Parse("""{"type":"record","name":"Click","namespace":"web","fields":[{"name":"page","type":"string"},{"name":"ms","type":"long"}]}""");

        // snippet: avro-registry-serialize
        var serializer = new RegistryAvroSerializer<GenericRecord>(client, schema, new RegistryAvroOptions
        {
            Topic = "clicks",                                       // subject clicks-value (SubjectNameStrategy.Topic)
            IdSource = SchemaIdSource.Register,                     // or Lookup, Latest, Explicit (SchemaId = ...)
        });
        int id = await serializer.GetSchemaIdAsync();               // optional: resolve before the first record
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(new GenericRecord((RecordSchema)schema) { ["page"] = "/home", ["ms"] = 12L }, buffer);

        var deserializer = new RegistryAvroDeserializer<GenericRecord>(client);  // writer schemas fetched by id, once
        GenericRecord click = deserializer.Deserialize(buffer.WrittenSpan);
        // end snippet

        Assert.Equal(12, id);
        Assert.Equal(Convert.FromHexString("000000000C0A2F686F6D6518"), buffer.WrittenSpan.ToArray());
        Assert.Equal("/home", click["page"]);
    }

    [Fact]
    public async Task Json_Example_ConfluentWireFormatBothWays()
    {
        ISchemaRegistryClient client = new InMemorySchemaRegistry(firstId: 12);
        var jsonSchema = Json.ConfluentJsonCompatibilityTests.ClickSchema;

        // snippet: json-registry-serialize
        var serializer = new RegistryJsonSerializer<JsonRecord>(client, jsonSchema, new RegistryJsonOptions { Topic = "clicks" });
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(JsonRecord.Parse("""{"Page":"/home","Ms":12}"""), buffer);   // 00 0000000C {"Page":...

        var deserializer = new RegistryJsonDeserializer<JsonRecord>(client);   // checks each id once: known, a JSON Schema
        JsonRecord click = deserializer.Deserialize(buffer.WrittenSpan);
        // end snippet

        Assert.Equal("000000000C" + Convert.ToHexString("""{"Page":"/home","Ms":12}"""u8), Convert.ToHexString(buffer.WrittenSpan));
        Assert.Equal("""{"Page":"/home","Ms":12}""", click.ToString());
        Assert.Equal(["clicks-value"], await client.GetAllSubjectsAsync());

        // snippet: json-registry-typed
        var typed = new RegistryJsonSerializer<Click>(client, jsonSchema, new RegistryJsonOptions { Topic = "clicks" },
            new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, TypeInfoResolver = new DefaultJsonTypeInfoResolver() });
        // end snippet

        var click2 = new Click { Page = "/café", Ms = 3 };
        var confluent = await new Confluent.SchemaRegistry.Serdes.JsonSerializer<Click>(client, new Schema(jsonSchema, SchemaType.Json)).SerializeAsync(click2, new SerializationContext(MessageComponentType.Value, "clicks"));
        Assert.Equal(Convert.ToHexString(confluent), Convert.ToHexString(Avro.ConfluentCompatibilityTests.Encode(typed, click2)));
    }

    [Fact]
    public async Task ApacheClasses_Example_SameBytesAsConfluentSerializer()
    {
        ISchemaRegistryClient client = new InMemorySchemaRegistry();
        var order = Avro.ConfluentCompatibilityTests.Sample(1);

        // snippet: avro-registry-apache
        var orders = new RegistryAvroSerializer<Order>(
            client,
            ApacheSchemas.FromApache(Order._SCHEMA),
            new RegistryAvroOptions { Topic = "orders" },
            codec: (writerSchema, options) => new ApacheAvroSerializer<Order>(writerSchema, options));
        // end snippet

        var ours = Avro.ConfluentCompatibilityTests.Encode(orders, order);
        var confluent = await new Confluent.SchemaRegistry.Serdes.AvroSerializer<Order>(client).SerializeAsync(order, new SerializationContext(MessageComponentType.Value, "orders"));
        Assert.Equal(confluent, ours);
    }
}
