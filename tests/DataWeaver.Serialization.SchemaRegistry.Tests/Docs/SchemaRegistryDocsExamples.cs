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

namespace DataWeaver.Serialization.SchemaRegistry.Tests.Docs;

/// <summary>The C# examples of the "Schema Registry" section of docs/serialization/avro.md (checked against the page by DocSnippetTests), run here.</summary>
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
