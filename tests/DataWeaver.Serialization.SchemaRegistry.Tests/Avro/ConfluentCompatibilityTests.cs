using System.Buffers;
using System.Net;
using System.Numerics;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using Confluent.SchemaRegistry.Serdes;
using DataWeaver.Errors;
using DataWeaver.Registry.Generated;
using DataWeaver.Serialization.Avro.Apache.Schemas;
using DataWeaver.Serialization.Avro.Apache.Serializers;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.SchemaRegistry.Avro;
using ApacheRecord = Avro.Generic.GenericRecord;
using ConfluentStrategy = Confluent.SchemaRegistry.SubjectNameStrategy;
using OurRecord = DataWeaver.Serialization.Avro.Generic.GenericRecord;
using SubjectNameStrategy = DataWeaver.Serialization.SchemaRegistry.Avro.SubjectNameStrategy;

namespace DataWeaver.Serialization.SchemaRegistry.Tests.Avro;

/// <summary>
/// Byte compatibility with Confluent.SchemaRegistry.Serdes.Avro 2.16.0's own AvroSerializer/AvroDeserializer, both
/// sharing one in-process registry (<see cref="InMemorySchemaRegistry"/>; no registry server exists here).
/// </summary>
public sealed class ConfluentCompatibilityTests
{
    private const string Topic = "orders";

    private static readonly AvroSchema OrderSchema = ApacheSchemas.FromApache(Order._SCHEMA);

    public static TheoryData<int> Indexes => [0, 1, 2];

    [Theory]
    [MemberData(nameof(Indexes))]
    public async Task Serialize_SpecificRecord_BytesIdenticalToConfluentAvroSerializer(int index)
    {
        var registry = new InMemorySchemaRegistry(firstId: 100 + index);
        var order = Sample(index);
        var confluent = await new AvroSerializer<Order>(registry).SerializeAsync(order, Context(Topic));

        var ours = Encode(new RegistryAvroSerializer<Order>(registry, OrderSchema, new RegistryAvroOptions { Topic = Topic }, (s, o) => new ApacheAvroSerializer<Order>(s, o)), order);

        Assert.Equal(Convert.ToHexString(confluent), Convert.ToHexString(ours));
        Assert.Equal(100 + index, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ours.AsSpan(1)));
        Assert.Equal(["orders-value"], await registry.GetAllSubjectsAsync());
    }

    [Theory]
    [MemberData(nameof(Indexes))]
    public async Task Deserialize_BothWays_ValueEqualWithConfluentAvroDeserializer(int index)
    {
        var registry = new InMemorySchemaRegistry();
        var order = Sample(index);
        var confluentBytes = await new AvroSerializer<Order>(registry).SerializeAsync(order, Context(Topic));
        var ourBytes = Encode(new RegistryAvroSerializer<Order>(registry, OrderSchema, new RegistryAvroOptions { Topic = Topic }, (s, o) => new ApacheAvroSerializer<Order>(s, o)), order);

        var oursRead = new RegistryAvroDeserializer<Order>(registry, new RegistryAvroOptions { ReaderSchema = OrderSchema }, (s, o) => new ApacheAvroDeserializer<Order>(s, o)).Deserialize(confluentBytes);
        var confluentRead = await new AvroDeserializer<Order>(registry).DeserializeAsync(ourBytes, isNull: false, Context(Topic));

        AssertOrderEqual(order, oursRead);
        AssertOrderEqual(order, confluentRead);
    }

    [Fact]
    public async Task GenericRecords_ApacheAndDataWeaver_BytesIdenticalToConfluent()
    {
        var registry = new InMemorySchemaRegistry(firstId: 7);
        var order = Sample(1);
        var apacheGeneric = await new AvroDeserializer<ApacheRecord>(registry).DeserializeAsync(await new AvroSerializer<Order>(registry).SerializeAsync(order, Context(Topic)), false, Context(Topic));
        var confluent = await new AvroSerializer<ApacheRecord>(registry).SerializeAsync(apacheGeneric, Context(Topic));

        var viaApacheModel = Encode(new RegistryAvroSerializer<ApacheRecord>(registry, OrderSchema, new RegistryAvroOptions { Topic = Topic }, (s, o) => new ApacheAvroSerializer<ApacheRecord>(s, o)), apacheGeneric);
        var native = new RegistryAvroDeserializer<OurRecord>(registry).Deserialize(confluent);
        var viaNative = Encode(new RegistryAvroSerializer<OurRecord>(registry, OrderSchema, new RegistryAvroOptions { Topic = Topic }), native);

        Assert.Equal(Convert.ToHexString(confluent), Convert.ToHexString(viaApacheModel));
        Assert.Equal(Convert.ToHexString(confluent), Convert.ToHexString(viaNative));
        Assert.Equal(1234.56m, (decimal)native["amount"]!);
        Assert.Equal(order.@ref, native["ref"]);
        var back = await new AvroDeserializer<ApacheRecord>(registry).DeserializeAsync(viaNative, false, Context(Topic));
        Assert.Equal(apacheGeneric, back);
    }

    [Theory]
    [InlineData(SubjectNameStrategy.Topic, ConfluentStrategy.Topic, false, "orders-value")]
    [InlineData(SubjectNameStrategy.Topic, ConfluentStrategy.Topic, true, "orders-key")]
    [InlineData(SubjectNameStrategy.Record, ConfluentStrategy.Record, false, "DataWeaver.Registry.Generated.Order")]
    [InlineData(SubjectNameStrategy.TopicRecord, ConfluentStrategy.TopicRecord, false, "orders-DataWeaver.Registry.Generated.Order")]
    public async Task SubjectNameStrategy_SameSubjectAsConfluent(SubjectNameStrategy ours, ConfluentStrategy theirs, bool isKey, string expected)
    {
        var confluentRegistry = new InMemorySchemaRegistry();
        var ourRegistry = new InMemorySchemaRegistry();
        var context = new SerializationContext(isKey ? MessageComponentType.Key : MessageComponentType.Value, Topic);
        var confluent = await new AvroSerializer<Order>(confluentRegistry, new AvroSerializerConfig { SubjectNameStrategy = theirs }).SerializeAsync(Sample(0), context);

        var serializer = new RegistryAvroSerializer<Order>(ourRegistry, OrderSchema, new RegistryAvroOptions { Topic = Topic, IsKey = isKey, SubjectNameStrategy = ours }, (s, o) => new ApacheAvroSerializer<Order>(s, o));
        var bytes = Encode(serializer, Sample(0));

        Assert.Equal(expected, serializer.Subject);
        Assert.Equal([expected], await confluentRegistry.GetAllSubjectsAsync());
        Assert.Equal([expected], await ourRegistry.GetAllSubjectsAsync());
        Assert.Equal(Convert.ToHexString(confluent), Convert.ToHexString(bytes));
    }

    [Fact]
    public async Task IdSourceLatest_WritesLatestVersionAndItsId_LikeConfluentUseLatestVersion()
    {
        var registry = new InMemorySchemaRegistry(firstId: 1);
        var v1 = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
        var v2 = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"},{"name":"b","type":"string","default":"x"}]}""");
        await registry.RegisterSchemaAsync("t-value", v1.ToJson());
        await registry.RegisterSchemaAsync("t-value", v2.ToJson());
        var record = new OurRecord((RecordSchema)v2) { ["a"] = 5, ["b"] = "y" };

        var serializer = new RegistryAvroSerializer<OurRecord>(registry, v2, new RegistryAvroOptions { Topic = "t", IdSource = SchemaIdSource.Latest });
        var ours = Encode(serializer, record);
        var apacheRecord = new ApacheRecord((global::Avro.RecordSchema)ApacheSchemas.ToApache(v2));
        apacheRecord.Add("a", 5);
        apacheRecord.Add("b", "y");
        var confluent = await new AvroSerializer<ApacheRecord>(registry, new AvroSerializerConfig { AutoRegisterSchemas = false, UseLatestVersion = true }).SerializeAsync(apacheRecord, Context("t"));

        Assert.Equal(2, await serializer.GetSchemaIdAsync());
        Assert.Equal(Convert.ToHexString(confluent), Convert.ToHexString(ours));
    }

    [Fact]
    public async Task IdSourceExplicit_RegisteredSchema_WritesThatId()
    {
        var registry = new InMemorySchemaRegistry(firstId: 40);
        var id = await registry.RegisterSchemaAsync("other", OrderSchema.ToJson());
        var serializer = new RegistryAvroSerializer<Order>(registry, OrderSchema, new RegistryAvroOptions { Topic = Topic, IdSource = SchemaIdSource.Explicit, SchemaId = id }, (s, o) => new ApacheAvroSerializer<Order>(s, o));

        var bytes = Encode(serializer, Sample(2));

        Assert.Equal(40, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
        Assert.Equal(["other"], await registry.GetAllSubjectsAsync());
    }

    [Fact]
    public async Task IdSourceExplicit_IdOfAnotherSchema_FatalErrorNamingTheId()
    {
        var registry = new InMemorySchemaRegistry(firstId: 9);
        await registry.RegisterSchemaAsync("x", "\"string\"");
        var serializer = new RegistryAvroSerializer<Order>(registry, OrderSchema, new RegistryAvroOptions { Topic = Topic, IdSource = SchemaIdSource.Explicit, SchemaId = 9 }, (s, o) => new ApacheAvroSerializer<Order>(s, o));

        var ex = await Assert.ThrowsAsync<DataWeaverException>(async () => await serializer.GetSchemaIdAsync());

        Assert.Equal(ErrorClass.Fatal, ex.ErrorClass);
        Assert.Contains("schema id 9 is not the serializer's schema", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IdSourceLookup_NotRegistered_FatalError_RegisteredThenFound()
    {
        var registry = new InMemorySchemaRegistry(firstId: 3);
        var options = new RegistryAvroOptions { Topic = Topic, IdSource = SchemaIdSource.Lookup };
        var serializer = new RegistryAvroSerializer<OurRecord>(registry, OrderSchema, options);

        var ex = await Assert.ThrowsAsync<DataWeaverException>(async () => await serializer.GetSchemaIdAsync());
        Assert.Equal(ErrorClass.Fatal, ex.ErrorClass);
        Assert.Empty(await registry.GetAllSubjectsAsync());

        await registry.RegisterSchemaAsync("orders-value", OrderSchema.ToJson());
        Assert.Equal(3, await serializer.GetSchemaIdAsync());
    }

    [Fact]
    public void Serialize_ManyRecords_RegistryAskedOnce()
    {
        var registry = new InMemorySchemaRegistry();
        var serializer = new RegistryAvroSerializer<Order>(registry, OrderSchema, new RegistryAvroOptions { Topic = Topic }, (s, o) => new ApacheAvroSerializer<Order>(s, o));
        var deserializer = new RegistryAvroDeserializer<OurRecord>(registry);
        var buffer = new ArrayBufferWriter<byte>();

        for (var i = 0; i < 1000; i++)
        {
            buffer.ResetWrittenCount();
            serializer.Serialize(Sample(i % 3), buffer);
            Assert.Equal((long)(i % 3) + 1, deserializer.Deserialize(new ReadOnlySequence<byte>(buffer.WrittenMemory))["id"]);
        }

        Assert.Equal(2, registry.Calls);
    }

    [Fact]
    public void Serialize_RegistryUnavailable_TransientError_NextRecordRetries()
    {
        var registry = new InMemorySchemaRegistry { FailNext = new SchemaRegistryException("unavailable", HttpStatusCode.ServiceUnavailable, 50301) };
        var serializer = new RegistryAvroSerializer<Order>(registry, OrderSchema, new RegistryAvroOptions { Topic = Topic }, (s, o) => new ApacheAvroSerializer<Order>(s, o));

        var ex = Assert.Throws<DataWeaverException>(() => Encode(serializer, Sample(0)));
        var bytes = Encode(serializer, Sample(0));

        Assert.Equal(ErrorClass.Transient, ex.ErrorClass);
        Assert.Equal(1, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
    }

    [Fact]
    public void Deserialize_UnknownSchemaId_DeserializationException()
    {
        var registry = new InMemorySchemaRegistry();
        byte[] bytes = [0, 0, 0, 0, 42, 2];

        var ex = Assert.Throws<DeserializationException>(() => new RegistryAvroDeserializer<OurRecord>(registry).Deserialize(bytes));

        Assert.Contains("schema id 42 is not in the registry", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Deserialize_WrongMagicByte_DeserializationException()
    {
        Assert.Throws<DeserializationException>(() => new RegistryAvroDeserializer<OurRecord>(new InMemorySchemaRegistry()).Deserialize([1, 0, 0, 0, 1, 2]));
    }

    [Fact]
    public async Task Deserialize_OlderWriterSchema_ReadAsReaderSchema()
    {
        var registry = new InMemorySchemaRegistry();
        var v1 = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"int"}]}""");
        var v2 = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"a","type":"long"},{"name":"b","type":"string","default":"x"}]}""");
        var bytes = Encode(new RegistryAvroSerializer<OurRecord>(registry, v1, new RegistryAvroOptions { Topic = "t" }), new OurRecord((RecordSchema)v1) { ["a"] = 5 });

        var read = new RegistryAvroDeserializer<OurRecord>(registry, new RegistryAvroOptions { ReaderSchema = v2 }).Deserialize(bytes);

        Assert.Equal(5L, read["a"]);
        Assert.Equal("x", read["b"]);
        Assert.Equal(["t-value"], await registry.GetAllSubjectsAsync());
    }

    [Fact]
    public void Constructor_TopicStrategyWithoutTopic_ConfigurationErrorListingProblems()
    {
        var ex = Assert.Throws<SerializerConfigurationException>(() => new RegistryAvroSerializer<OurRecord>(new InMemorySchemaRegistry(), AvroSchema.Parse("\"int\""), new RegistryAvroOptions { SubjectNameStrategy = SubjectNameStrategy.TopicRecord, IdSource = SchemaIdSource.Explicit }));

        Assert.Contains("Topic is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("needs a named schema", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SchemaId is required", ex.Message, StringComparison.Ordinal);
    }

    internal static Order Sample(int index) => new()
    {
        id = index + 1,
        customer = index == 2 ? "Zoë ✓" : "c" + index,
        status = (OrderStatus)(index % 3),
        amount = index == 1 ? new global::Avro.AvroDecimal(new BigInteger(123456), 2) : new global::Avro.AvroDecimal(new BigInteger(-index), 2),
        placed = new DateTime(2026, 12, 7, 1, 2, 3, index * 100, DateTimeKind.Utc),
        @ref = new Guid($"1234567{index}-0000-4000-8000-00000000000{index}"),
        lines = [.. Enumerable.Range(0, index * 2).Select(i => "line" + i)],
        attributes = Enumerable.Range(0, index).ToDictionary(i => "a" + i, i => i),
        note = index == 0 ? null : "note " + index,
    };

    internal static byte[] Encode<T>(IRecordSerializer<T> serializer, T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(value, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    private static SerializationContext Context(string topic) => new(MessageComponentType.Value, topic);

    private static void AssertOrderEqual(Order expected, Order actual)
    {
        Assert.Equal(expected.id, actual.id);
        Assert.Equal(expected.customer, actual.customer);
        Assert.Equal(expected.status, actual.status);
        Assert.Equal(expected.amount, actual.amount);
        Assert.Equal(expected.placed, actual.placed);
        Assert.Equal(expected.@ref, actual.@ref);
        Assert.Equal(expected.lines, actual.lines);
        Assert.Equal(expected.attributes.OrderBy(p => p.Key), actual.attributes.OrderBy(p => p.Key));
        Assert.Equal(expected.note, actual.note);
    }
}
