using System.Buffers;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Registry;

namespace DataWeaver.Serialization.Avro.Tests.Registry;

public sealed class AvroSerializerFactoryTests
{
    public sealed record User(long Id, string Name, string? Email, Color Favorite, List<string> Tags);

    public enum Color { Red, Green }

    private const string UserSchemaJson = """
        {"type":"record","name":"User","namespace":"com.example","fields":[
          {"name":"id","type":"long"},
          {"name":"name","type":"string"},
          {"name":"email","type":["null","string"],"default":null},
          {"name":"favorite","type":{"type":"enum","name":"Color","symbols":["Red","Green"]}},
          {"name":"tags","type":{"type":"array","items":"string"}}]}
        """;

    [Fact]
    public void AddAvro_Build_RegistersAvroBesideBuiltIns()
    {
        var registry = SerializerRegistry.CreateBuilder().AddAvro().Build();

        Assert.Equal(["avro", "json", "raw", "utf8"], registry.Formats);
        Assert.True(registry.TryGetFactory("AVRO", out var factory));
        Assert.IsType<AvroSerializerFactory>(factory);
    }

    [Fact]
    public void AddAvro_Twice_Throws()
    {
        var builder = SerializerRegistry.CreateBuilder().AddAvro();

        Assert.Throws<ArgumentException>(() => builder.AddAvro());
    }

    [Fact]
    public void CreateSerializer_TypedConfluent_ExactBytesAndRoundTrip()
    {
        var registry = SerializerRegistry.CreateBuilder().AddAvro().Build();
        var settings = new Dictionary<string, string> { ["schema"] = UserSchemaJson, ["framing"] = "confluent", ["schemaId"] = "42" };
        var buffer = new ArrayBufferWriter<byte>();

        var serializer = registry.CreateSerializer<User>("avro", settings);
        serializer.Serialize(new User(1, "Ada", null, Color.Green, ["x"]), buffer);
        var user = registry.CreateDeserializer<User>("avro", settings).Deserialize(buffer.WrittenSpan);

        Assert.Equal("avro", serializer.Format);
        Assert.Equal(Convert.FromHexString("000000002A" + "0206416461000202027800"), buffer.WrittenSpan.ToArray());
        Assert.Equal(1, user.Id);
        Assert.Equal("Ada", user.Name);
        Assert.Equal(Color.Green, user.Favorite);
        Assert.Equal(["x"], user.Tags);
    }

    [Fact]
    public void CreateDeserializer_GenericFromSchemaFileSingleObject_Reads()
    {
        var path = Path.Combine(Path.GetTempPath(), $"avro-factory-{Guid.NewGuid():N}.avsc");
        File.WriteAllText(path, UserSchemaJson);
        try
        {
            var registry = SerializerRegistry.CreateBuilder().AddAvro().Build();
            var settings = new Dictionary<string, string> { ["schema"] = path, ["framing"] = "single-object" };
            var buffer = new ArrayBufferWriter<byte>();

            registry.CreateSerializer<User>("avro", settings).Serialize(new User(7, "Bob", "b@x", Color.Red, []), buffer);
            var record = registry.CreateDeserializer<GenericRecord>("avro", settings).Deserialize(new ReadOnlySequence<byte>(buffer.WrittenMemory));

            Assert.Equal(new byte[] { 0xC3, 0x01 }, buffer.WrittenSpan[..2].ToArray());
            Assert.Equal(7L, record["id"]);
            Assert.Equal("b@x", record["email"]);
            Assert.Equal("Red", record.Get<GenericEnum>("favorite").Symbol);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void CreateSerializer_MaxRecordSize_Enforced()
    {
        var registry = SerializerRegistry.CreateBuilder().AddAvro().Build();
        var serializer = registry.CreateSerializer<User>("avro", new Dictionary<string, string> { ["schema"] = UserSchemaJson, ["maxRecordSize"] = "16" });

        var ex = Assert.Throws<DataWeaver.Errors.RecordTooLargeException>(() => serializer.Serialize(new User(1, new string('a', 20), null, Color.Red, []), new ArrayBufferWriter<byte>()));

        Assert.Contains("16", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateSerializer_NoSchema_ThrowsNamingTheSetting()
    {
        var registry = SerializerRegistry.CreateBuilder().AddAvro().Build();

        var ex = Assert.Throws<SerializerConfigurationException>(() => registry.CreateSerializer<User>("avro"));

        Assert.Equal("avro", ex.Format);
        Assert.Equal(typeof(User), ex.ValueType);
        Assert.Equal("Format 'avro' for type 'User': setting schema is required: the writer schema as JSON or a file path.", ex.Message);
    }

    [Fact]
    public void CreateDeserializer_SeveralInvalidSettings_ListsEveryOne()
    {
        var registry = SerializerRegistry.CreateBuilder().AddAvro().Build();
        var settings = new Dictionary<string, string>
        {
            ["schema"] = """{"type":"record","name":"R","fields":[{"name":"a","type":"Missing"}]}""",
            ["framing"] = "xml",
            ["maxRecordSize"] = "8",
            ["colour"] = "red",
        };

        var ex = Assert.Throws<SerializerConfigurationException>(() => registry.CreateDeserializer<GenericRecord>("avro", settings));

        Assert.Equal(
            "Format 'avro' for type 'GenericRecord': unknown setting(s) colour; it takes schema, readerSchema, framing, schemaId, maxRecordSize; "
            + "setting schema: invalid schema at $.fields[0].type: unknown type 'Missing' (not a primitive type nor a named type defined before this point); "
            + "setting framing must be none, single-object or confluent (was 'xml'); "
            + "setting maxRecordSize must be an integer from 16 to 1073741824 (was '8').",
            ex.Message);
    }

    [Fact]
    public void CreateSerializer_ConfluentWithoutSchemaId_Throws()
    {
        var registry = SerializerRegistry.CreateBuilder().AddAvro().Build();

        var ex = Assert.Throws<SerializerConfigurationException>(() => registry.CreateSerializer<User>("avro", new Dictionary<string, string> { ["schema"] = UserSchemaJson, ["framing"] = "confluent" }));

        Assert.Equal("Format 'avro' for type 'User': setting schemaId is required with framing confluent.", ex.Message);
    }

    [Fact]
    public void CreateSerializer_MissingSchemaFile_Throws()
    {
        var registry = SerializerRegistry.CreateBuilder().AddAvro().Build();

        var ex = Assert.Throws<SerializerConfigurationException>(() => registry.CreateSerializer<User>("avro", new Dictionary<string, string> { ["schema"] = "/nonexistent/user.avsc" }));

        Assert.StartsWith("Format 'avro' for type 'User': setting schema: the schema file '/nonexistent/user.avsc' cannot be read: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateDeserializer_TypeWithoutMatchingConstructor_Throws()
    {
        var registry = SerializerRegistry.CreateBuilder().AddAvro().Build();

        var ex = Assert.Throws<SerializerConfigurationException>(() => registry.CreateDeserializer<Unrelated>("avro", new Dictionary<string, string> { ["schema"] = UserSchemaJson }));

        Assert.StartsWith("Format 'avro' for type 'Unrelated': type 'Unrelated' cannot be read with these schemas: ", ex.Message, StringComparison.Ordinal);
    }

    public sealed record Unrelated(int Other);
}
