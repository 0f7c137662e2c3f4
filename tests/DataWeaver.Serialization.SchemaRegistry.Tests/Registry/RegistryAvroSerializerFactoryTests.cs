using System.Buffers;
using Confluent.Kafka;
using Confluent.SchemaRegistry.Serdes;
using DataWeaver.Serialization.Avro.Apache.Schemas;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;
using ApacheRecord = Avro.Generic.GenericRecord;

namespace DataWeaver.Serialization.SchemaRegistry.Tests.Registry;

public sealed class RegistryAvroSerializerFactoryTests
{
    private const string ClickSchema = """{"type":"record","name":"Click","namespace":"web","fields":[{"name":"page","type":"string"},{"name":"ms","type":"long"}]}""";

    [Fact]
    public async Task CreateSerializer_Settings_BytesIdenticalToConfluentAndReadBack()
    {
        var client = new InMemorySchemaRegistry(firstId: 5);
        var registry = SerializerRegistry.CreateBuilder().AddSchemaRegistryAvro(client).Build();
        var settings = new Dictionary<string, string> { ["schema"] = ClickSchema, ["topic"] = "clicks", ["subjectNameStrategy"] = "topic-record", ["idSource"] = "register" };
        var schema = AvroSchema.Parse(ClickSchema);

        var serializer = registry.CreateSerializer<GenericRecord>("avro-registry", settings);
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(new GenericRecord((RecordSchema)schema) { ["page"] = "/a", ["ms"] = 3L }, buffer);
        var back = registry.CreateDeserializer<GenericRecord>("avro-registry", new Dictionary<string, string>()).Deserialize(buffer.WrittenSpan);

        var apache = new ApacheRecord((global::Avro.RecordSchema)ApacheSchemas.ToApache(schema));
        apache.Add("page", "/a");
        apache.Add("ms", 3L);
        var confluent = await new AvroSerializer<ApacheRecord>(client, new AvroSerializerConfig { SubjectNameStrategy = Confluent.SchemaRegistry.SubjectNameStrategy.TopicRecord })
            .SerializeAsync(apache, new SerializationContext(MessageComponentType.Value, "clicks"));
        Assert.Equal(confluent, buffer.WrittenSpan.ToArray());
        Assert.Equal(["clicks-web.Click"], await client.GetAllSubjectsAsync());
        Assert.Equal("/a", back["page"]);
    }

    [Fact]
    public void CreateSerializer_BadSettings_OneErrorListingEveryProblem()
    {
        var registry = SerializerRegistry.CreateBuilder().AddSchemaRegistryAvro(new InMemorySchemaRegistry()).Build();
        var settings = new Dictionary<string, string> { ["schema"] = """{"type":"record","name":"R","fields":[{"name":"a","type":"nope"}]}""", ["idSource"] = "sometimes", ["key"] = "maybe", ["colour"] = "red" };

        var ex = Assert.Throws<SerializerConfigurationException>(() => registry.CreateSerializer<GenericRecord>("avro-registry", settings));

        Assert.Contains("unknown setting(s) colour", ex.Message, StringComparison.Ordinal);
        Assert.Contains("setting schema is not a valid schema at $.fields[0].type", ex.Message, StringComparison.Ordinal);
        Assert.Contains("setting idSource must be register, lookup, latest or explicit (was 'sometimes')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("setting key must be true or false (was 'maybe')", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateSerializer_MissingSchemaAndTopic_ListsBoth()
    {
        var registry = SerializerRegistry.CreateBuilder().AddSchemaRegistryAvro(new InMemorySchemaRegistry()).Build();

        var missingSchema = Assert.Throws<SerializerConfigurationException>(() => registry.CreateSerializer<GenericRecord>("avro-registry", new Dictionary<string, string>()));
        var missingTopic = Assert.Throws<SerializerConfigurationException>(() => registry.CreateSerializer<GenericRecord>("avro-registry", new Dictionary<string, string> { ["schema"] = ClickSchema }));

        Assert.Contains("setting schema is required", missingSchema.Message, StringComparison.Ordinal);
        Assert.Contains("setting topic is required with subject name strategy Topic", missingTopic.Message, StringComparison.Ordinal);
    }
}
