using System.Buffers;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Framing;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Serialization.Avro.Tests.Serializers;

/// <summary>The examples of docs/serialization/avro.md, kept compiling and passing.</summary>
public sealed class DocumentationExampleTests
{
    public sealed record User(long Id, string Name, string? Email, Color Favorite, List<string> Tags);

    public sealed record UserV2(long Id, string Name, string? Email, int Score);

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
    public void TypedSerializer_RoundTrip_ExactBytesAndValues()
    {
        var schema = AvroSchema.Parse(UserSchemaJson);
        var serializer = new AvroSerializer<User>(schema);
        var deserializer = new AvroDeserializer<User>(schema);
        var buffer = new ArrayBufferWriter<byte>();

        serializer.Serialize(new User(1, "Ada", null, Color.Green, ["x"]), buffer);
        var user = deserializer.Deserialize(buffer.WrittenSpan);

        Assert.Equal(Convert.FromHexString("0206416461000202027800"), buffer.WrittenSpan.ToArray());
        Assert.Equal(1, user.Id);
        Assert.Equal("Ada", user.Name);
        Assert.Null(user.Email);
        Assert.Equal(Color.Green, user.Favorite);
        Assert.Equal(["x"], user.Tags);
    }

    [Fact]
    public void TypedDeserializer_NewerReaderSchema_ResolvesStraightIntoType()
    {
        var v1 = AvroSchema.Parse(UserSchemaJson);
        var v2 = AvroSchema.Parse("""
            {"type":"record","name":"User","namespace":"com.example","fields":[
              {"name":"id","type":"long"},
              {"name":"name","type":"string"},
              {"name":"email","type":["null","string"],"default":null},
              {"name":"score","type":"int","default":0}]}
            """);
        var buffer = new ArrayBufferWriter<byte>();
        new AvroSerializer<User>(v1).Serialize(new User(1, "Ada", "a@x", Color.Green, ["x"]), buffer);

        var deserializer = new AvroDeserializer<UserV2>(v1, new AvroSerializerOptions { ReaderSchema = v2 });
        UserV2 user = deserializer.Deserialize(buffer.WrittenSpan);   // favorite and tags skipped, score = 0

        Assert.Equal(new UserV2(1, "Ada", "a@x", 0), user);
    }

    [Fact]
    public void Registry_AddAvro_TypedConfluentRoundTrip()
    {
        var registry = SerializerRegistry.CreateBuilder().AddAvro().Build();
        var settings = new Dictionary<string, string>
        {
            ["schema"] = UserSchemaJson,                    // or a path: "schemas/user.avsc"
            ["framing"] = "confluent",
            ["schemaId"] = "42",
        };
        IRecordSerializer<User> serializer = registry.CreateSerializer<User>("avro", settings);
        IRecordDeserializer<User> deserializer = registry.CreateDeserializer<User>("avro", settings);
        var buffer = new ArrayBufferWriter<byte>();

        serializer.Serialize(new User(1, "Ada", null, Color.Green, ["x"]), buffer);
        User user = deserializer.Deserialize(buffer.WrittenSpan);

        Assert.Equal(["avro", "json", "raw", "utf8"], registry.Formats);
        Assert.Equal(Convert.FromHexString("000000002A0206416461000202027800"), buffer.WrittenSpan.ToArray());
        Assert.Equal("Ada", user.Name);
    }

    [Fact]
    public void GenericRecord_ConfluentFraming_RoundTrip()
    {
        var schema = (RecordSchema)AvroSchema.Parse(UserSchemaJson);
        var record = new GenericRecord(schema) { ["id"] = 7L, ["name"] = "Bob", ["email"] = "b@x", ["favorite"] = "Red", ["tags"] = new List<object?>() };
        var options = new AvroSerializerOptions { Framing = AvroFraming.Confluent, SchemaId = 42 };
        var buffer = new ArrayBufferWriter<byte>();

        new AvroSerializer<GenericRecord>(schema, options).Serialize(record, buffer);
        var back = new AvroDeserializer<GenericRecord>(schema, options).Deserialize(new ReadOnlySequence<byte>(buffer.WrittenMemory));

        Assert.Equal(new byte[] { 0, 0, 0, 0, 42 }, buffer.WrittenSpan[..5].ToArray());
        Assert.Equal(42, ConfluentWireFormat.ReadSchemaId(buffer.WrittenSpan));
        Assert.Equal("b@x", back["email"]);
        Assert.Equal("Red", back.Get<GenericEnum>("favorite").Symbol);
    }

    [Fact]
    public void SingleObject_WriteAndRead_HeaderCarriesFingerprint()
    {
        var schema = AvroSchema.Parse("\"int\"");
        var buffer = new ArrayBufferWriter<byte>();

        AvroSingleObject.Write(buffer, schema, 1);
        var value = AvroSingleObject.Read(buffer.WrittenSpan, fp => fp == schema.Fingerprint ? schema : null);

        Assert.Equal(Convert.FromHexString("C3018F5C393F1AD5757202"), buffer.WrittenSpan.ToArray());
        Assert.Equal(1, value);
    }

    [Fact]
    public void ContainerFile_WriteThenStream_TypedRecords()
    {
        var schema = AvroSchema.Parse(UserSchemaJson);
        using var stream = new MemoryStream();
        using (var writer = new AvroContainerWriter(stream, schema, new AvroContainerWriterOptions { Codec = AvroCodec.Deflate, LeaveOpen = true }))
        {
            for (var i = 0; i < 1000; i++)
            {
                writer.Append(new User(i, "u" + i, null, Color.Red, []));
            }
        }

        stream.Position = 0;
        using var reader = AvroContainerReader.Open(stream);
        var users = reader.Read<User>().ToList();

        Assert.Equal(1000, users.Count);
        Assert.Equal("u999", users[^1].Name);
    }
}
