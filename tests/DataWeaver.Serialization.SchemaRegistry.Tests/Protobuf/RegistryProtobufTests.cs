using System.Buffers;
using System.Net;
using Confluent.SchemaRegistry;
using DataWeaver.Errors;
using DataWeaver.Serialization.SchemaRegistry.Avro;
using DataWeaver.Serialization.SchemaRegistry.Protobuf;
using Google.Protobuf.WellKnownTypes;
using ReservedRange = Google.Protobuf.Reflection.DescriptorProto.Types.ReservedRange;
using SubjectNameStrategy = DataWeaver.Serialization.SchemaRegistry.Avro.SubjectNameStrategy;

namespace DataWeaver.Serialization.SchemaRegistry.Tests.Protobuf;

/// <summary>
/// Confluent's Protobuf wire format through the in-process registry. Confluent.SchemaRegistry.Serdes.Protobuf is not
/// served here, so the bytes are checked against the documented format, computed by hand: magic byte 0, the schema id
/// big-endian, the message indexes (count then indexes, zig-zag varints; [0] written as the single byte 0), the message.
/// </summary>
public sealed class RegistryProtobufTests
{
    private const string TimestampProto = "syntax = \"proto3\";\npackage google.protobuf;\nmessage Timestamp {\n  int64 seconds = 1;\n  int32 nanos = 2;\n}\n";

    private const string DescriptorProto = "syntax = \"proto2\";\npackage google.protobuf;\nmessage FileDescriptorSet {}\nmessage FileDescriptorProto {}\nmessage DescriptorProto {\n  message ExtensionRange {}\n  message ReservedRange {\n    optional int32 start = 1;\n    optional int32 end = 2;\n  }\n}\n";

    [Fact]
    public async Task Serialize_FirstMessageOfFile_SingleZeroIndexByte_ExactBytes()
    {
        var registry = new InMemorySchemaRegistry(firstId: 42);
        var serializer = new RegistryProtobufSerializer<Timestamp>(registry, TimestampProto, new RegistryProtobufOptions { Topic = "ticks" });

        var bytes = Encode(serializer, new Timestamp { Seconds = 1, Nanos = 2 });

        // 00 | id 42 | [0] as the single byte 00 | seconds=1 (08 01) nanos=2 (10 02)
        Assert.Equal("000000002A" + "00" + "08011002", Convert.ToHexString(bytes));
        Assert.Equal(["ticks-value"], await registry.GetAllSubjectsAsync());
        var schema = await registry.GetSchemaAsync(42);
        Assert.Equal(SchemaType.Protobuf, schema.SchemaType);
        Assert.Equal(TimestampProto, schema.SchemaString);
    }

    [Fact]
    public void Serialize_NestedMessage_ZigZagIndexPath_ExactBytesAndRoundTrip()
    {
        ISchemaRegistryClient client = new InMemorySchemaRegistry(firstId: 300);
        var proto = DescriptorProto;

        // snippet: protobuf-registry
        var serializer = new RegistryProtobufSerializer<ReservedRange>(client, proto, new RegistryProtobufOptions { Topic = "ranges" });
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(new ReservedRange { Start = 3, End = 7 }, buffer);   // proto registered under ranges-value

        var deserializer = new RegistryProtobufDeserializer<ReservedRange>(client);  // checks each id once: known, Protobuf
        ReservedRange read = deserializer.Deserialize(buffer.WrittenSpan);
        // end snippet
        var bytes = buffer.WrittenSpan.ToArray();

        // 00 | id 300 = 0000012C | path [2, 1] (DescriptorProto is the 3rd message, ReservedRange its 2nd nested):
        // count 2 -> zig-zag 4, 2 -> 4, 1 -> 2 | start=3 (08 03) end=7 (10 07)
        Assert.Equal("000000012C" + "040402" + "08031007", Convert.ToHexString(bytes));
        Assert.Equal(new ReservedRange { Start = 3, End = 7 }, read);
    }

    [Fact]
    public void Serialize_SecondMessageOfFile_OneIndex_ExactBytes()
    {
        var registry = new InMemorySchemaRegistry(firstId: 1);
        var bytes = Encode(new RegistryProtobufSerializer<Value>(registry, "syntax = \"proto3\";", new RegistryProtobufOptions { Topic = "v" }), Value.ForBool(true));

        // Value is the 2nd message of struct.proto: path [1] -> count 1 (02), index 1 (02) | bool_value=true (20 01)
        Assert.Equal("0000000001" + "0202" + "2001", Convert.ToHexString(bytes));
    }

    [Fact]
    public void RoundTrip_ManyRecordsAndSequences_RegistryAskedOnceEachWay()
    {
        var registry = new InMemorySchemaRegistry();
        var serializer = new RegistryProtobufSerializer<Timestamp>(registry, TimestampProto, new RegistryProtobufOptions { Topic = "ticks" });
        var deserializer = new RegistryProtobufDeserializer<Timestamp>(registry);
        var buffer = new ArrayBufferWriter<byte>();

        for (var i = 0; i < 1000; i++)
        {
            buffer.ResetWrittenCount();
            serializer.Serialize(new Timestamp { Seconds = i, Nanos = i * 7 }, buffer);
            Assert.Equal(new Timestamp { Seconds = i, Nanos = i * 7 }, deserializer.Deserialize(new ReadOnlySequence<byte>(buffer.WrittenMemory)));
        }

        Assert.Equal(2, registry.Calls);
    }

    [Theory]
    [InlineData(SubjectNameStrategy.Topic, false, "ticks-value")]
    [InlineData(SubjectNameStrategy.Topic, true, "ticks-key")]
    [InlineData(SubjectNameStrategy.Record, false, "google.protobuf.Timestamp")]
    [InlineData(SubjectNameStrategy.TopicRecord, false, "ticks-google.protobuf.Timestamp")]
    public async Task SubjectNameStrategy_MessageFullNameAsRecordName(SubjectNameStrategy strategy, bool isKey, string expected)
    {
        var registry = new InMemorySchemaRegistry();
        var serializer = new RegistryProtobufSerializer<Timestamp>(registry, TimestampProto, new RegistryProtobufOptions { Topic = "ticks", IsKey = isKey, SubjectNameStrategy = strategy });

        await serializer.GetSchemaIdAsync();

        Assert.Equal(expected, serializer.Subject);
        Assert.Equal([expected], await registry.GetAllSubjectsAsync());
    }

    [Fact]
    public async Task IdSources_LatestLookupExplicit_ResolveTheRegisteredId_OtherSchemaRefused()
    {
        var registry = new InMemorySchemaRegistry(firstId: 60);
        await registry.RegisterSchemaAsync("ticks-value", new Schema(TimestampProto, SchemaType.Protobuf));
        var avroId = await registry.RegisterSchemaAsync("a", "\"int\"");

        Assert.Equal(60, await new RegistryProtobufSerializer<Timestamp>(registry, TimestampProto, new RegistryProtobufOptions { Topic = "ticks", IdSource = SchemaIdSource.Latest }).GetSchemaIdAsync());
        Assert.Equal(60, await new RegistryProtobufSerializer<Timestamp>(registry, TimestampProto, new RegistryProtobufOptions { Topic = "ticks", IdSource = SchemaIdSource.Lookup }).GetSchemaIdAsync());
        Assert.Equal(60, await new RegistryProtobufSerializer<Timestamp>(registry, TimestampProto.Replace("\n", "\n\n", StringComparison.Ordinal), new RegistryProtobufOptions { Topic = "ticks", IdSource = SchemaIdSource.Explicit, SchemaId = 60 }).GetSchemaIdAsync());
        var ex = await Assert.ThrowsAsync<DataWeaverException>(async () => await new RegistryProtobufSerializer<Timestamp>(registry, TimestampProto, new RegistryProtobufOptions { Topic = "ticks", IdSource = SchemaIdSource.Explicit, SchemaId = avroId }).GetSchemaIdAsync());
        Assert.Equal(ErrorClass.Fatal, ex.ErrorClass);
        Assert.Contains("schema id 61 is not the serializer's Protobuf schema (it is a Avro schema)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_RegistryUnavailable_TransientError_NextRecordRetries()
    {
        var registry = new InMemorySchemaRegistry { FailNext = new SchemaRegistryException("unavailable", HttpStatusCode.ServiceUnavailable, 50301) };
        var serializer = new RegistryProtobufSerializer<Timestamp>(registry, TimestampProto, new RegistryProtobufOptions { Topic = "ticks" });

        var ex = Assert.Throws<DataWeaverException>(() => Encode(serializer, new Timestamp()));

        Assert.Equal(ErrorClass.Transient, ex.ErrorClass);
        Assert.Equal("000000000100", Convert.ToHexString(Encode(serializer, new Timestamp())));
    }

    [Fact]
    public void Deserialize_UnknownSchemaId_DataErrorNamingTheId()
    {
        var ex = Assert.Throws<DeserializationException>(() => new RegistryProtobufDeserializer<Timestamp>(new InMemorySchemaRegistry()).Deserialize(Convert.FromHexString("000000002A000801")));

        Assert.Equal(ErrorClass.Data, ex.ErrorClass);
        Assert.Equal("Cannot decode protobuf at byte offset 1: schema id 42 is not in the registry", ex.Message);
    }

    [Fact]
    public async Task Deserialize_IdOfJsonSchema_DataErrorNamingIt()
    {
        var registry = new InMemorySchemaRegistry(firstId: 8);
        await registry.RegisterSchemaAsync("j", new Schema("{}", SchemaType.Json));

        var ex = Assert.Throws<DeserializationException>(() => new RegistryProtobufDeserializer<Timestamp>(registry).Deserialize(Convert.FromHexString("000000000800")));

        Assert.Equal("Cannot decode protobuf at byte offset 1: schema id 8 is a Json schema, not Protobuf", ex.Message);
    }

    [Fact]
    public void Deserialize_WrongMagicByte_DataErrorNamingTheByte_RegistryNotAsked()
    {
        var registry = new InMemorySchemaRegistry();

        var ex = Assert.Throws<DeserializationException>(() => new RegistryProtobufDeserializer<Timestamp>(registry).Deserialize(Convert.FromHexString("010000000100")));

        Assert.Equal("Cannot decode protobuf at byte offset 0: wrong Confluent magic byte 0x01 (expected 0x00)", ex.Message);
        Assert.Equal(0, registry.Calls);
    }

    [Fact]
    public void Constructor_ExplicitWithoutIdNoTopic_ConfigurationErrorListingEveryProblem()
    {
        var ex = Assert.Throws<SerializerConfigurationException>(() => new RegistryProtobufSerializer<Timestamp>(new InMemorySchemaRegistry(), TimestampProto, new RegistryProtobufOptions { IdSource = SchemaIdSource.Explicit }));

        Assert.Equal("protobuf", ex.Format);
        Assert.Contains("Topic is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SchemaId is required", ex.Message, StringComparison.Ordinal);
    }

    private static byte[] Encode<T>(IRecordSerializer<T> serializer, T value) => Avro.ConfluentCompatibilityTests.Encode(serializer, value);
}
