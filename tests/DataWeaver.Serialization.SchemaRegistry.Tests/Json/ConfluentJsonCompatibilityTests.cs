using System.Buffers;
using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Confluent.Kafka;
using Confluent.SchemaRegistry;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;
using DataWeaver.Serialization.SchemaRegistry.Avro;
using DataWeaver.Serialization.SchemaRegistry.Json;
using ConfluentJsonDeserializer = Confluent.SchemaRegistry.Serdes.JsonDeserializer<DataWeaver.Serialization.SchemaRegistry.Tests.Json.Click>;
using ConfluentJsonSerializer = Confluent.SchemaRegistry.Serdes.JsonSerializer<DataWeaver.Serialization.SchemaRegistry.Tests.Json.Click>;
using ConfluentStrategy = Confluent.SchemaRegistry.SubjectNameStrategy;
using SubjectNameStrategy = DataWeaver.Serialization.SchemaRegistry.Avro.SubjectNameStrategy;

namespace DataWeaver.Serialization.SchemaRegistry.Tests.Json;

/// <summary>
/// Byte compatibility with Confluent.SchemaRegistry.Serdes.Json 2.16.0's own JsonSerializer/JsonDeserializer, both
/// sharing one in-process registry (<see cref="InMemorySchemaRegistry"/>; no registry server exists here).
/// </summary>
public sealed class ConfluentJsonCompatibilityTests
{
    internal const string ClickSchema = """{"$schema":"http://json-schema.org/draft-07/schema#","title":"web.Click","type":"object","properties":{"Page":{"type":"string"},"Ms":{"type":"integer"},"Note":{"type":["null","string"]},"Tags":{"type":"array","items":{"type":"string"}}},"required":["Page","Ms"]}""";

    private const string Topic = "clicks";

    /// <summary>System.Text.Json options writing what Newtonsoft.Json writes for <see cref="Click"/>: declared names, no escaping of non-ASCII text.</summary>
    private static readonly JsonSerializerOptions NewtonsoftLike = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, TypeInfoResolver = new System.Text.Json.Serialization.Metadata.DefaultJsonTypeInfoResolver() };

    public static TheoryData<int> Indexes => [0, 1, 2];

    [Theory]
    [MemberData(nameof(Indexes))]
    public async Task Serialize_TypedObject_BytesIdenticalToConfluentJsonSerializer(int index)
    {
        var registry = new InMemorySchemaRegistry(firstId: 200 + index);
        var click = Sample(index);
        var confluent = await Confluent(registry).SerializeAsync(click, Context(Topic));

        var serializer = Ours(registry);
        var ours = Encode(serializer, click);

        Assert.Equal(Convert.ToHexString(confluent), Convert.ToHexString(ours));
        Assert.Equal(200 + index, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(ours.AsSpan(1)));
        Assert.Equal(0, ours[0]);
        Assert.Equal(["clicks-value"], await registry.GetAllSubjectsAsync());
        Assert.Equal(SchemaType.Json, (await registry.GetSchemaAsync(200 + index)).SchemaType);
    }

    [Fact]
    public async Task Serialize_KnownClick_ExactBytes()
    {
        var registry = new InMemorySchemaRegistry(firstId: 0x01020304);
        var ours = Encode(Ours(registry), new Click { Page = "/", Ms = 5 });

        Assert.Equal("0001020304" + Convert.ToHexString(Encoding.UTF8.GetBytes("""{"Page":"/","Ms":5,"Note":null,"Tags":[]}""")), Convert.ToHexString(ours));
        Assert.Equal(Convert.ToHexString(await Confluent(registry).SerializeAsync(new Click { Page = "/", Ms = 5 }, Context(Topic))), Convert.ToHexString(ours));
    }

    [Theory]
    [MemberData(nameof(Indexes))]
    public async Task Deserialize_BothWays_ValueEqualWithConfluentJsonDeserializer(int index)
    {
        var registry = new InMemorySchemaRegistry();
        var click = Sample(index);
        var confluentBytes = await Confluent(registry).SerializeAsync(click, Context(Topic));
        var ourBytes = Encode(Ours(registry), click);

        var oursRead = new RegistryJsonDeserializer<Click>(registry, new JsonRecordDeserializer<Click>(NewtonsoftLike)).Deserialize(confluentBytes);
        var confluentRead = await new ConfluentJsonDeserializer(registry).DeserializeAsync(ourBytes, isNull: false, Context(Topic));

        Assert.Equal(click, oursRead);
        Assert.Equal(click, confluentRead);
    }

    [Fact]
    public async Task JsonRecords_ConfluentBytesReadAndWrittenBack_ByteIdentical()
    {
        var registry = new InMemorySchemaRegistry(firstId: 7);
        var confluent = await Confluent(registry).SerializeAsync(Sample(2), Context(Topic));

        var record = new RegistryJsonDeserializer<JsonRecord>(registry).Deserialize(confluent);
        var back = Encode(new RegistryJsonSerializer<JsonRecord>(registry, ClickSchema, new RegistryJsonOptions { Topic = Topic }), record);

        Assert.Equal(Convert.ToHexString(confluent), Convert.ToHexString(back));
        Assert.True(record.TryGetString("Page", out var page));
        Assert.Equal("/café \"✓\"", page);
        Assert.True(record.TryGetInt64("Ms", out var ms));
        Assert.Equal(2000L, ms);
        Assert.Equal(Sample(2), await new ConfluentJsonDeserializer(registry).DeserializeAsync(back, false, Context(Topic)));
    }

    [Fact]
    public void Deserialize_MultiSegmentSequence_SameValue()
    {
        var registry = new InMemorySchemaRegistry();
        var bytes = Encode(Ours(registry), Sample(1));
        var first = new Segment(bytes.AsMemory(0, 3));
        var last = first.Append(bytes.AsMemory(3));

        var read = new RegistryJsonDeserializer<Click>(registry, new JsonRecordDeserializer<Click>(NewtonsoftLike)).Deserialize(new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length));

        Assert.Equal(Sample(1), read);
    }

    [Theory]
    [InlineData(SubjectNameStrategy.Topic, ConfluentStrategy.Topic, false, "clicks-value")]
    [InlineData(SubjectNameStrategy.Topic, ConfluentStrategy.Topic, true, "clicks-key")]
    [InlineData(SubjectNameStrategy.Record, ConfluentStrategy.Record, false, "web.Click")]
    [InlineData(SubjectNameStrategy.TopicRecord, ConfluentStrategy.TopicRecord, false, "clicks-web.Click")]
    public async Task SubjectNameStrategy_SameSubjectAsConfluent(SubjectNameStrategy ours, ConfluentStrategy theirs, bool isKey, string expected)
    {
        var confluentRegistry = new InMemorySchemaRegistry();
        var ourRegistry = new InMemorySchemaRegistry();
        var context = new SerializationContext(isKey ? MessageComponentType.Key : MessageComponentType.Value, Topic);
        var confluent = await new ConfluentJsonSerializer(confluentRegistry, new Schema(ClickSchema, SchemaType.Json), new Confluent.SchemaRegistry.Serdes.JsonSerializerConfig { SubjectNameStrategy = theirs }).SerializeAsync(Sample(0), context);

        var serializer = new RegistryJsonSerializer<Click>(ourRegistry, ClickSchema, new RegistryJsonOptions { Topic = Topic, IsKey = isKey, SubjectNameStrategy = ours }, NewtonsoftLike);
        var bytes = Encode(serializer, Sample(0));

        Assert.Equal(expected, serializer.Subject);
        Assert.Equal([expected], await confluentRegistry.GetAllSubjectsAsync());
        Assert.Equal([expected], await ourRegistry.GetAllSubjectsAsync());
        Assert.Equal(Convert.ToHexString(confluent), Convert.ToHexString(bytes));
    }

    [Fact]
    public async Task IdSourceLatest_WritesLatestVersionId_LikeConfluentUseLatestVersion()
    {
        var registry = new InMemorySchemaRegistry(firstId: 1);
        await registry.RegisterSchemaAsync("clicks-value", new Schema("""{"type":"object"}""", SchemaType.Json));
        await registry.RegisterSchemaAsync("clicks-value", new Schema(ClickSchema, SchemaType.Json));
        var serializer = Ours(registry, new RegistryJsonOptions { Topic = Topic, IdSource = SchemaIdSource.Latest });

        var ours = Encode(serializer, Sample(1));
        var confluent = await new ConfluentJsonSerializer(registry, new Schema(ClickSchema, SchemaType.Json), new Confluent.SchemaRegistry.Serdes.JsonSerializerConfig { AutoRegisterSchemas = false, UseLatestVersion = true }).SerializeAsync(Sample(1), Context(Topic));

        Assert.Equal(2, await serializer.GetSchemaIdAsync());
        Assert.Equal(Convert.ToHexString(confluent), Convert.ToHexString(ours));
    }

    [Fact]
    public async Task IdSourceLookup_NotRegistered_FatalError_RegisteredThenFound()
    {
        var registry = new InMemorySchemaRegistry(firstId: 3);
        var serializer = Ours(registry, new RegistryJsonOptions { Topic = Topic, IdSource = SchemaIdSource.Lookup });

        var ex = await Assert.ThrowsAsync<DataWeaverException>(async () => await serializer.GetSchemaIdAsync());
        Assert.Equal(ErrorClass.Fatal, ex.ErrorClass);
        Assert.Contains("subject 'clicks-value' (Lookup)", ex.Message, StringComparison.Ordinal);
        Assert.Empty(await registry.GetAllSubjectsAsync());

        await registry.RegisterSchemaAsync("clicks-value", new Schema(ClickSchema, SchemaType.Json));
        Assert.Equal(3, await serializer.GetSchemaIdAsync());
    }

    [Fact]
    public async Task IdSourceExplicit_SameSchemaWrittenDifferently_WritesThatId_AvroIdRefusedNamingIt()
    {
        var registry = new InMemorySchemaRegistry(firstId: 40);
        var id = await registry.RegisterSchemaAsync("other", new Schema(JsonSerializer.Serialize(JsonDocument.Parse(ClickSchema).RootElement, Indented), SchemaType.Json));
        var avroId = await registry.RegisterSchemaAsync("avro", "\"string\"");

        var bytes = Encode(Ours(registry, new RegistryJsonOptions { Topic = Topic, IdSource = SchemaIdSource.Explicit, SchemaId = id }), Sample(0));
        var ex = await Assert.ThrowsAsync<DataWeaverException>(async () => await Ours(registry, new RegistryJsonOptions { Topic = Topic, IdSource = SchemaIdSource.Explicit, SchemaId = avroId }).GetSchemaIdAsync());

        Assert.Equal(40, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
        Assert.Equal(ErrorClass.Fatal, ex.ErrorClass);
        Assert.Contains("schema id 41 is not the serializer's Json schema (it is a Avro schema)", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Serialize_ManyRecords_RegistryAskedOnceEachWay()
    {
        var registry = new InMemorySchemaRegistry();
        var serializer = Ours(registry);
        var deserializer = new RegistryJsonDeserializer<JsonRecord>(registry);
        var buffer = new ArrayBufferWriter<byte>();

        for (var i = 0; i < 1000; i++)
        {
            buffer.ResetWrittenCount();
            serializer.Serialize(Sample(i % 3), buffer);
            Assert.True(deserializer.Deserialize(new ReadOnlySequence<byte>(buffer.WrittenMemory)).TryGetInt64("Ms", out var ms));
            Assert.Equal((i % 3) * 1000L, ms);
        }

        Assert.Equal(2, registry.Calls);
    }

    [Fact]
    public void Serialize_RegistryUnavailable_TransientError_NextRecordRetries()
    {
        var registry = new InMemorySchemaRegistry { FailNext = new SchemaRegistryException("unavailable", HttpStatusCode.ServiceUnavailable, 50301) };
        var serializer = Ours(registry);

        var ex = Assert.Throws<DataWeaverException>(() => Encode(serializer, Sample(0)));
        var bytes = Encode(serializer, Sample(0));

        Assert.Equal(ErrorClass.Transient, ex.ErrorClass);
        Assert.Equal(1, System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(1)));
    }

    [Fact]
    public void Deserialize_UnknownSchemaId_DataErrorNamingTheId()
    {
        byte[] bytes = [0, 0, 0, 0, 42, (byte)'{', (byte)'}'];

        var ex = Assert.Throws<DeserializationException>(() => new RegistryJsonDeserializer<JsonRecord>(new InMemorySchemaRegistry()).Deserialize(bytes));

        Assert.Equal(ErrorClass.Data, ex.ErrorClass);
        Assert.Equal("Cannot decode json at byte offset 1: schema id 42 is not in the registry", ex.Message);
    }

    [Fact]
    public async Task Deserialize_IdOfAvroSchema_DataErrorNamingIt()
    {
        var registry = new InMemorySchemaRegistry(firstId: 5);
        await registry.RegisterSchemaAsync("avro", "\"string\"");

        var ex = Assert.Throws<DeserializationException>(() => new RegistryJsonDeserializer<JsonRecord>(registry).Deserialize([0, 0, 0, 0, 5, (byte)'1']));

        Assert.Equal("Cannot decode json at byte offset 1: schema id 5 is a Avro schema, not Json", ex.Message);
    }

    [Fact]
    public void Deserialize_WrongMagicByte_DataErrorNamingTheByte()
    {
        var registry = new InMemorySchemaRegistry();

        var ex = Assert.Throws<DeserializationException>(() => new RegistryJsonDeserializer<JsonRecord>(registry).Deserialize([1, 0, 0, 0, 1, (byte)'{', (byte)'}']));

        Assert.Equal("Cannot decode json at byte offset 0: wrong Confluent magic byte 0x01 (expected 0x00)", ex.Message);
        Assert.Equal(0, registry.Calls);
    }

    [Fact]
    public void Deserialize_TruncatedHeader_DataError()
    {
        var ex = Assert.Throws<DeserializationException>(() => new RegistryJsonDeserializer<JsonRecord>(new InMemorySchemaRegistry()).Deserialize(new ReadOnlySequence<byte>([0, 0, 1])));

        Assert.Contains("truncated Confluent header: 3 of 5 bytes", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_InvalidOptions_ConfigurationErrorListingEveryProblem()
    {
        var ex = Assert.Throws<SerializerConfigurationException>(() => new RegistryJsonSerializer<JsonRecord>(new InMemorySchemaRegistry(), """{"type":"object"}""", new RegistryJsonOptions { SubjectNameStrategy = SubjectNameStrategy.TopicRecord, IdSource = SchemaIdSource.Explicit }));
        var notJson = Assert.Throws<SerializerConfigurationException>(() => new RegistryJsonSerializer<JsonRecord>(new InMemorySchemaRegistry(), "{type", new RegistryJsonOptions { Topic = Topic }));

        Assert.Contains("Topic is required", ex.Message, StringComparison.Ordinal);
        Assert.Contains("needs a JSON Schema with a \"title\"", ex.Message, StringComparison.Ordinal);
        Assert.Contains("SchemaId is required", ex.Message, StringComparison.Ordinal);
        Assert.Equal("json", ex.Format);
        Assert.Contains("The JSON Schema is not valid JSON", notJson.Message, StringComparison.Ordinal);
    }

    internal static Click Sample(int index) => new()
    {
        Page = index == 2 ? "/café \"✓\"" : "/p" + index,
        Ms = index * 1000L,
        Note = index == 0 ? null : "note <" + index + "> & more",
        Tags = [.. Enumerable.Range(0, index * 2).Select(i => "t" + i)],
    };

    private static RegistryJsonSerializer<Click> Ours(ISchemaRegistryClient registry, RegistryJsonOptions? options = null) =>
        new(registry, ClickSchema, options ?? new RegistryJsonOptions { Topic = Topic }, NewtonsoftLike);

    private static ConfluentJsonSerializer Confluent(ISchemaRegistryClient registry) => new(registry, new Schema(ClickSchema, SchemaType.Json));

    private static byte[] Encode<T>(IRecordSerializer<T> serializer, T value) => Avro.ConfluentCompatibilityTests.Encode(serializer, value);

    private static SerializationContext Context(string topic) => new(MessageComponentType.Value, topic);

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }
}

/// <summary>A typed JSON value as Newtonsoft.Json (Confluent) and System.Text.Json (ours) both write it.</summary>
public sealed record Click
{
    public string Page { get; set; } = string.Empty;

    public long Ms { get; set; }

    public string? Note { get; set; }

    public List<string> Tags { get; set; } = [];

    public bool Equals(Click? other) => other is not null && Page == other.Page && Ms == other.Ms && Note == other.Note && Tags.SequenceEqual(other.Tags);

    public override int GetHashCode() => HashCode.Combine(Page, Ms, Note);
}
