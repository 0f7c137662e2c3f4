using System.Buffers;
using DataWeaver.Serialization.Protobuf.Framing;
using DataWeaver.Serialization.Protobuf.Serializers;
using DataWeaver.Serialization.Protobuf.Tests.Messages;

namespace DataWeaver.Serialization.Protobuf.Tests;

/// <summary>The examples of docs/serialization/protobuf.md, kept compiling and passing.</summary>
public sealed class DocumentationExampleTests
{
    [Fact]
    public void GeneratedMessage_RoundTrip_ExactBytes()
    {
        var serializer = new ProtobufSerializer<Nested>();
        var deserializer = new ProtobufDeserializer<Nested>();
        var buffer = new ArrayBufferWriter<byte>();

        serializer.Serialize(new Nested { Name = "Ada", Value = 1 }, buffer);
        Nested back = deserializer.Deserialize(buffer.WrittenSpan);

        Assert.Equal(Convert.FromHexString("0a034164611001"), buffer.WrittenSpan.ToArray());
        Assert.Equal("Ada", back.Name);
    }

    [Fact]
    public async Task LengthDelimited_StreamRoundTrip()
    {
        var buffer = new ArrayBufferWriter<byte>();
        ProtobufDelimited.Write(new Nested { Value = 1 }, buffer);
        ProtobufDelimited.Write(new Nested { Value = 2 }, buffer);
        using var stream = new MemoryStream(buffer.WrittenSpan.ToArray());

        var values = new List<int>();
        await foreach (var message in ProtobufDelimited.ReadAllAsync<Nested>(stream))
        {
            values.Add(message.Value);
        }

        Assert.Equal(Convert.FromHexString("021001" + "021002"), buffer.WrittenSpan.ToArray());
        Assert.Equal([1, 2], values);
    }

    [Fact]
    public void LengthDelimited_IncrementalReader()
    {
        var bytes = Convert.FromHexString("021001" + "021002");
        var input = new ReadOnlySequence<byte>(bytes);
        var reader = new ProtobufDelimitedReader<Nested>();
        var values = new List<int>();

        while (reader.TryRead(input, isFinalBlock: true, out var message, out var consumed))
        {
            values.Add(message.Value);
            input = input.Slice(consumed);
        }

        Assert.Equal([1, 2], values);
        Assert.Equal(6, reader.Position);
    }

    [Fact]
    public void Confluent_SerializeAndReadHeader()
    {
        var options = new ProtobufSerializerOptions { Framing = ProtobufFraming.Confluent, SchemaId = 42 };
        var buffer = new ArrayBufferWriter<byte>();
        new ProtobufSerializer<Envelope.Types.Third>(options).Serialize(new Envelope.Types.Third { C = "c" }, buffer);

        ConfluentProtobufHeader header = ConfluentProtobufWireFormat.ReadHeader(buffer.WrittenSpan);
        var message = new ProtobufDeserializer<Envelope.Types.Third>(options).Deserialize(buffer.WrittenSpan);

        Assert.Equal(Convert.FromHexString("000000002a" + "040204" + "0a0163"), buffer.WrittenSpan.ToArray());
        Assert.Equal(42, header.SchemaId);
        Assert.Equal([1, 2], header.MessageIndexes);
        Assert.Equal("c", message.C);
    }

    [Fact]
    public void Registry_AddProtobuf_ConfluentSettings()
    {
        var registry = SerializerRegistry.CreateBuilder().AddProtobuf().Build();
        var settings = new Dictionary<string, string> { ["framing"] = "confluent", ["schemaId"] = "42" };

        var serializer = registry.CreateSerializer<Envelope.Types.Third>("protobuf", settings);
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(new Envelope.Types.Third { C = "c" }, buffer);

        var deserializer = registry.CreateDeserializer<Envelope.Types.Third>("protobuf", new Dictionary<string, string> { ["framing"] = "confluent" });
        var message = deserializer.Deserialize(buffer.WrittenSpan);

        var e = Assert.Throws<SerializerConfigurationException>(
            () => registry.CreateSerializer<Nested>("protobuf", new Dictionary<string, string> { ["framing"] = "confluent", ["maxRecordSize"] = "8" }));

        Assert.Equal(["json", "protobuf", "raw", "utf8"], registry.Formats);
        Assert.Equal(Convert.FromHexString("000000002a" + "040204" + "0a0163"), buffer.WrittenSpan.ToArray());
        Assert.Equal("c", message.C);
        Assert.Equal(
            "Format 'protobuf' for type 'Nested': framing confluent needs setting schemaId to write records; "
            + "setting maxRecordSize must be an integer from 16 to 1073741824 (was '8').",
            e.Message);
    }

    [Fact]
    public void Errors_TruncatedInput_DeserializationException()
    {
        var deserializer = new ProtobufDeserializer<Nested>();

        var ex = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(Convert.FromHexString("0a0341")));

        Assert.Equal("protobuf", ex.Format);
        Assert.Equal(3, ex.Offset);
        Assert.StartsWith("While parsing a protocol message, the input ended unexpectedly", ex.Reason, StringComparison.Ordinal);
    }
}
