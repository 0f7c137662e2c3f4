using System.Buffers;
using DataWeaver.Errors;
using DataWeaver.Serialization.Protobuf.Registry;
using DataWeaver.Serialization.Protobuf.Tests.Messages;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DataWeaver.Serialization.Protobuf.Tests.Registry;

public sealed class ProtobufSerializerFactoryTests
{
    private static readonly SerializerRegistry Registry = SerializerRegistry.CreateBuilder().AddProtobuf().Build();

    private static Dictionary<string, string> Settings(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => p.Value);

    private static byte[] Write<T>(IRecordSerializer<T> serializer, T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    [Fact]
    public void AddProtobuf_Build_RegistersFormatIgnoringCase()
    {
        Assert.Equal(["json", "protobuf", "raw", "utf8"], Registry.Formats);
        Assert.True(Registry.TryGetFactory("PROTOBUF", out var factory));
        Assert.Same(ProtobufSerializerFactory.Instance, factory);
    }

    [Fact]
    public void AddProtobuf_AlreadyRegistered_ThrowsArgumentException()
    {
        var builder = SerializerRegistry.CreateBuilder().AddProtobuf();

        var ex = Assert.Throws<ArgumentException>(() => builder.AddProtobuf());

        Assert.StartsWith("A serialization format named 'protobuf' is already registered", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateSerializer_NoSettings_WritesBareMessage()
    {
        var serializer = Registry.CreateSerializer<Nested>("protobuf");

        Assert.Equal("protobuf", serializer.Format);
        Assert.Equal(Convert.FromHexString("0a034164611001"), Write(serializer, new Nested { Name = "Ada", Value = 1 }));
    }

    [Fact]
    public void CreateDeserializer_NoSettings_ReadsBareMessage()
    {
        var deserializer = Registry.CreateDeserializer<Nested>("Protobuf");

        var message = deserializer.Deserialize(Convert.FromHexString("0a034164611001"));

        Assert.Equal(new Nested { Name = "Ada", Value = 1 }, message);
    }

    [Fact]
    public void CreateSerializer_FramingNoneExplicit_WritesBareMessage()
    {
        var serializer = Registry.CreateSerializer<Nested>("protobuf", Settings(("framing", "none")));

        Assert.Equal(Convert.FromHexString("1001"), Write(serializer, new Nested { Value = 1 }));
    }

    [Fact]
    public void CreateSerializer_LengthDelimitedAnyCase_WritesVarintPrefix()
    {
        var settings = Settings(("FRAMING", "Length-Delimited"));
        var serializer = Registry.CreateSerializer<Nested>("protobuf", settings);
        var deserializer = Registry.CreateDeserializer<Nested>("protobuf", settings);

        var bytes = Write(serializer, new Nested { Name = "Ada", Value = 1 });

        Assert.Equal(Convert.FromHexString("07" + "0a034164611001"), bytes);
        Assert.Equal("Ada", deserializer.Deserialize(bytes).Name);
    }

    [Fact]
    public void CreateSerializer_ConfluentWithSchemaId_WritesHeaderWithMessageIndexes()
    {
        var serializer = Registry.CreateSerializer<Envelope.Types.Third>("protobuf", Settings(("framing", "confluent"), ("schemaId", "42")));

        var bytes = Write(serializer, new Envelope.Types.Third { C = "c" });

        Assert.Equal(Convert.FromHexString("000000002a" + "040204" + "0a0163"), bytes);
    }

    [Fact]
    public void CreateDeserializer_ConfluentWithoutSchemaId_ReadsAnySchemaId()
    {
        var deserializer = Registry.CreateDeserializer<Envelope.Types.Third>("protobuf", Settings(("framing", "confluent")));

        var message = deserializer.Deserialize(Convert.FromHexString("000000002a" + "040204" + "0a0163"));

        Assert.Equal("c", message.C);
    }

    [Fact]
    public void CreateDeserializer_MaxRecordSize_RejectsLargerMessage()
    {
        var deserializer = Registry.CreateDeserializer<Nested>("protobuf", Settings(("maxRecordSize", "16")));
        var bytes = new Nested { Name = new string('x', 20) }.ToByteArray();

        var ex = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(bytes));

        Assert.Equal(0, ex.Offset);
        Assert.Equal("the message is 22 bytes, above the maximum record size of 16 bytes", ex.Reason);
        Assert.Equal("x", deserializer.Deserialize(new Nested { Name = "x" }.ToByteArray()).Name);
    }

    [Fact]
    public void CreateSerializer_MaxRecordSize_RejectsLargerMessage()
    {
        var serializer = Registry.CreateSerializer<Nested>("protobuf", Settings(("maxRecordSize", "16")));
        var buffer = new ArrayBufferWriter<byte>();

        var ex = Assert.Throws<RecordTooLargeException>(() => serializer.Serialize(new Nested { Name = new string('x', 20) }, buffer));

        Assert.Equal(22, ex.Size);
        Assert.Equal(16, ex.Limit);
        Assert.Equal(0, buffer.WrittenCount);
    }

    [Fact]
    public void CreateSerializer_WellKnownType_WritesMessage()
    {
        var serializer = Registry.CreateSerializer<Timestamp>("protobuf");

        Assert.Equal(Convert.FromHexString("082a1007"), Write(serializer, new Timestamp { Seconds = 42, Nanos = 7 }));
    }

    [Fact]
    public void CreateSerializer_UnknownFraming_ThrowsNamingFormatTypeAndProblem()
    {
        var ex = Assert.Throws<SerializerConfigurationException>(
            () => Registry.CreateSerializer<Nested>("protobuf", Settings(("framing", "xml"))));

        Assert.Equal("protobuf", ex.Format);
        Assert.Equal(typeof(Nested), ex.ValueType);
        Assert.Equal("Format 'protobuf' for type 'Nested': setting framing must be none, length-delimited or confluent (was 'xml').", ex.Message);
    }

    [Fact]
    public void CreateSerializer_ConfluentWithoutSchemaId_Throws()
    {
        var ex = Assert.Throws<SerializerConfigurationException>(
            () => Registry.CreateSerializer<Nested>("protobuf", Settings(("framing", "confluent"))));

        Assert.Equal("Format 'protobuf' for type 'Nested': framing confluent needs setting schemaId to write records.", ex.Message);
    }

    [Fact]
    public void CreateDeserializer_SchemaIdWithLengthDelimited_Throws()
    {
        var ex = Assert.Throws<SerializerConfigurationException>(
            () => Registry.CreateDeserializer<Nested>("protobuf", Settings(("framing", "length-delimited"), ("schemaId", "7"))));

        Assert.Equal("Format 'protobuf' for type 'Nested': setting schemaId applies only to framing confluent (framing is length-delimited).", ex.Message);
    }

    [Fact]
    public void CreateSerializer_SeveralProblems_ListsEveryOne()
    {
        var settings = Settings(("schema", "x"), ("framing", "confluent"), ("schemaId", "-1"), ("maxRecordSize", "8"), ("depth", "3"));

        var ex = Assert.Throws<SerializerConfigurationException>(() => Registry.CreateSerializer<Nested>("protobuf", settings));

        Assert.Equal(
            "Format 'protobuf' for type 'Nested': unknown setting(s) depth, schema; it takes framing, schemaId, maxRecordSize; "
            + "setting schemaId must be an integer from 0 to 2147483647 (was '-1'); "
            + "setting maxRecordSize must be an integer from 16 to 1073741824 (was '8').",
            ex.Message);
    }

    [Fact]
    public void CreateDeserializer_MaxRecordSizeAboveRange_Throws()
    {
        var ex = Assert.Throws<SerializerConfigurationException>(
            () => Registry.CreateDeserializer<Nested>("protobuf", Settings(("maxRecordSize", "1073741825"))));

        Assert.Equal("Format 'protobuf' for type 'Nested': setting maxRecordSize must be an integer from 16 to 1073741824 (was '1073741825').", ex.Message);
    }

    [Fact]
    public void CreateSerializer_NotAMessage_ThrowsNamingSupportedTypes()
    {
        var ex = Assert.Throws<SerializerConfigurationException>(() => Registry.CreateSerializer<string>("protobuf"));

        Assert.Equal(typeof(string), ex.ValueType);
        Assert.Equal(
            "Format 'protobuf' cannot serialize type 'string'; it handles generated protobuf messages (IMessage<T> with a public parameterless constructor). "
            + "Registered formats: json, protobuf, raw, utf8.",
            ex.Message);
    }

    [Fact]
    public void CreateDeserializer_NotAMessage_ReturnsNullFromFactory()
    {
        var request = new SerializerRequest("protobuf");

        Assert.Null(ProtobufSerializerFactory.Instance.CreateDeserializer<List<int>>(request));
        Assert.Null(ProtobufSerializerFactory.Instance.CreateSerializer<Google.Protobuf.IMessage>(request));
        Assert.NotNull(ProtobufSerializerFactory.Instance.CreateDeserializer<Nested>(request));
    }
}
