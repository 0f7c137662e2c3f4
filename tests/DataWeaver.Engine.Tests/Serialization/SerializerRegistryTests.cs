using System.Buffers;
using System.Text;
using DataWeaver.Errors;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Tests.Serialization;

public sealed class SerializerRegistryTests
{
    [Fact]
    public void Default_Formats_AreTheBuiltIns()
    {
        Assert.Equal(["json", "raw", "utf8"], SerializerRegistry.Default.Formats);
    }

    [Fact]
    public void CreateSerializer_JsonTyped_WritesWebJson()
    {
        var serializer = SerializerRegistry.Default.CreateSerializer<Order>("json");
        var buffer = new ArrayBufferWriter<byte>();

        serializer.Serialize(new Order("o-1", 12.5m, new Customer("Ada", new Address("Paris", "75001"))), buffer);

        Assert.Equal("json", serializer.Format);
        Assert.Equal("""{"id":"o-1","total":12.5,"customer":{"name":"Ada","address":{"city":"Paris","zip":"75001"}}}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void CreateDeserializer_FormatNameInAnyCase_FindsTheFormat()
    {
        var deserializer = SerializerRegistry.Default.CreateDeserializer<Order>("JSON");

        var order = deserializer.Deserialize("""{"id":"o-2","total":3,"customer":{"name":"Bo","address":{"city":"Oslo","zip":"0150"}}}"""u8);

        Assert.Equal(new Order("o-2", 3m, new Customer("Bo", new Address("Oslo", "0150"))), order);
    }

    [Fact]
    public void CreateDeserializer_JsonRecord_IsTheSchemalessCodec()
    {
        var deserializer = SerializerRegistry.Default.CreateDeserializer<JsonRecord>("json");

        var record = deserializer.Deserialize("""{"a":1}"""u8);

        Assert.Same(JsonRecordCodec.Default, deserializer);
        Assert.True(record.TryGetInt64("a", out var a));
        Assert.Equal(1, a);
    }

    [Fact]
    public void CreateDeserializer_JsonWithMaxRecordBytesSetting_AppliesTheLimit()
    {
        var deserializer = SerializerRegistry.Default.CreateDeserializer<JsonRecord>("json", new Dictionary<string, string> { ["MaxRecordBytes"] = "8" });

        var error = Assert.Throws<DeserializationException>(() => deserializer.Deserialize("""{"a":123}"""u8));

        Assert.Equal(8, error.Offset);
        Assert.Equal("the record is 9 bytes, above the maximum record size of 8 bytes", error.Reason);
    }

    [Fact]
    public void CreateSerializer_RawBytes_WritesThemAsTheyAre()
    {
        var buffer = new ArrayBufferWriter<byte>();

        SerializerRegistry.Default.CreateSerializer<byte[]>("raw").Serialize([1, 2, 3], buffer);
        SerializerRegistry.Default.CreateSerializer<ReadOnlyMemory<byte>>("raw").Serialize(new byte[] { 4, 5 }, buffer);
        SerializerRegistry.Default.CreateSerializer<Memory<byte>>("raw").Serialize(new byte[] { 6 }, buffer);

        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, buffer.WrittenSpan.ToArray());
    }

    [Fact]
    public void CreateDeserializer_RawFromSegments_CopiesTheBytes()
    {
        var data = new byte[] { 9, 8, 7, 6, 5 };
        var deserializer = SerializerRegistry.Default.CreateDeserializer<ReadOnlyMemory<byte>>("raw");

        var value = deserializer.Deserialize(Segments.Split(data, 2));
        data[0] = 0;

        Assert.Equal(new byte[] { 9, 8, 7, 6, 5 }, value.ToArray());
        Assert.Equal(new byte[] { 1 }, SerializerRegistry.Default.CreateDeserializer<byte[]>("raw").Deserialize(new byte[] { 1 }));
    }

    [Fact]
    public void CreateSerializer_Utf8_RoundTripsText()
    {
        var buffer = new ArrayBufferWriter<byte>();
        SerializerRegistry.Default.CreateSerializer<string>("utf8").Serialize("héllo €", buffer);

        var text = SerializerRegistry.Default.CreateDeserializer<string>("utf8").Deserialize(buffer.WrittenSpan);

        Assert.Equal(new byte[] { 0x68, 0xC3, 0xA9, 0x6C, 0x6C, 0x6F, 0x20, 0xE2, 0x82, 0xAC }, buffer.WrittenSpan.ToArray());
        Assert.Equal("héllo €", text);
    }

    [Fact]
    public void Deserialize_Utf8Invalid_ThrowsWithOffsetOfBadByte()
    {
        var deserializer = SerializerRegistry.Default.CreateDeserializer<string>("utf8");

        var error = Assert.Throws<DeserializationException>(() => deserializer.Deserialize(new byte[] { 0x61, 0x62, 0xC3, 0x28 }));

        Assert.Equal("utf8", error.Format);
        Assert.Equal(2, error.Offset);
        Assert.Equal("invalid UTF-8", error.Reason);
        Assert.Equal(ErrorClass.Data, error.ErrorClass);
    }

    [Fact]
    public void CreateSerializer_UnknownFormat_ThrowsNamingFormatTypeAndRegisteredNames()
    {
        var error = Assert.Throws<SerializerConfigurationException>(() => SerializerRegistry.Default.CreateSerializer<Order>("xml"));

        Assert.Equal("Unknown serialization format 'xml' for type 'Order'. Registered formats: json, raw, utf8.", error.Message);
        Assert.Equal("xml", error.Format);
        Assert.Equal(typeof(Order), error.ValueType);
        Assert.Equal(["json", "raw", "utf8"], error.RegisteredFormats);
        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
    }

    [Fact]
    public void CreateDeserializer_FormatCannotHandleType_ThrowsNamingWhatItHandles()
    {
        var error = Assert.Throws<SerializerConfigurationException>(() => SerializerRegistry.Default.CreateDeserializer<Order>("raw"));

        Assert.Equal(
            "Format 'raw' cannot deserialize type 'Order'; it handles byte[], ReadOnlyMemory<byte>, Memory<byte>. Registered formats: json, raw, utf8.",
            error.Message);
    }

    [Fact]
    public void CreateSerializer_GenericTypeName_IsWrittenAsInCSharp()
    {
        var error = Assert.Throws<SerializerConfigurationException>(() => SerializerRegistry.Default.CreateSerializer<List<int?>>("utf8"));

        Assert.Equal("Format 'utf8' cannot serialize type 'List<Nullable<int>>'; it handles string. Registered formats: json, raw, utf8.", error.Message);
    }

    [Fact]
    public void CreateSerializer_SourceGeneratedJsonWithoutTheType_Throws()
    {
        var registry = SerializerRegistry.CreateBuilder()
            .Replace("json", SerializerFactories.Json(OrderJsonContext.Default.Options))
            .Build();

        var error = Assert.Throws<SerializerConfigurationException>(() => registry.CreateSerializer<Unlisted>("json"));

        Assert.Equal(
            "Format 'json' cannot serialize type 'Unlisted'; it handles JsonRecord and the types its JsonSerializerOptions resolve. Registered formats: json, raw, utf8.",
            error.Message);
        Assert.IsType<JsonRecordSerializer<Order>>(registry.CreateSerializer<Order>("json"));
    }

    [Fact]
    public void CreateSerializer_UnknownSettings_ThrowsListingAll()
    {
        var settings = new Dictionary<string, string> { ["schema"] = "x", ["indent"] = "2" };

        var error = Assert.Throws<SerializerConfigurationException>(() => SerializerRegistry.Default.CreateSerializer<byte[]>("raw", settings));

        Assert.Equal("Format 'raw' for type 'byte[]': unknown setting(s) indent, schema; it takes none.", error.Message);
    }

    [Fact]
    public void CreateDeserializer_BadMaxRecordBytes_Throws()
    {
        var settings = new Dictionary<string, string> { ["maxRecordBytes"] = "-5" };

        var error = Assert.Throws<SerializerConfigurationException>(() => SerializerRegistry.Default.CreateDeserializer<Order>("json", settings));

        Assert.Equal("Format 'json' for type 'Order': setting maxRecordBytes must be an integer from 1 to 2147483647 (was '-5').", error.Message);
    }

    [Fact]
    public void Register_CustomFormat_IsServedForItsType()
    {
        var registry = SerializerRegistry.CreateBuilder()
            .Register("csv-address", SerializerFactories.ForType<Address>(new AddressCsv(), new AddressCsv()))
            .Build();
        var buffer = new ArrayBufferWriter<byte>();

        registry.CreateSerializer<Address>("csv-address").Serialize(new Address("Rome", "00100"), buffer);
        var back = registry.CreateDeserializer<Address>("csv-address").Deserialize(buffer.WrittenSpan);

        Assert.Equal("Rome,00100", Encoding.UTF8.GetString(buffer.WrittenSpan));
        Assert.Equal(new Address("Rome", "00100"), back);
        Assert.Equal(["csv-address", "json", "raw", "utf8"], registry.Formats);
        Assert.Equal(["json", "raw", "utf8"], SerializerRegistry.Default.Formats);
    }

    [Fact]
    public void Register_FactoryGetsRegisteredNameAndSettings()
    {
        var factory = new RecordingFactory();
        var registry = new SerializerRegistryBuilder().Register("Avro", factory).Build();

        registry.CreateDeserializer<string>("avro", new Dictionary<string, string> { ["schema"] = "order.avsc" });

        Assert.Equal("Avro", factory.Request!.Format);
        Assert.Equal("order.avsc", factory.Request.Settings["SCHEMA"]);
    }

    [Fact]
    public void Register_SameNameTwice_Throws()
    {
        var builder = SerializerRegistry.CreateBuilder();

        var error = Assert.Throws<ArgumentException>(() => builder.Register("JSON", SerializerFactories.Raw));

        Assert.StartsWith("A serialization format named 'JSON' is already registered; use Replace to swap its factory.", error.Message);
    }

    [Theory]
    [InlineData("")]
    [InlineData("my format")]
    [InlineData("a/b")]
    public void Register_InvalidName_Throws(string name)
    {
        Assert.ThrowsAny<ArgumentException>(() => new SerializerRegistryBuilder().Register(name, SerializerFactories.Raw));
    }

    [Fact]
    public void Replace_MissingName_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new SerializerRegistryBuilder().Replace("json", SerializerFactories.Raw));

        Assert.StartsWith("No serialization format named 'json' is registered; use Register to add it.", error.Message);
    }

    [Fact]
    public void Build_Twice_Throws()
    {
        var builder = SerializerRegistry.CreateBuilder();
        builder.Build();

        var error = Assert.Throws<InvalidOperationException>(() => builder.Register("x", SerializerFactories.Raw));

        Assert.Equal("Cannot change a serializer registry builder after it has built its registry.", error.Message);
        Assert.Throws<InvalidOperationException>(() => builder.Build());
    }

    [Fact]
    public void ToBuilder_AddsToACopy_LeavesTheOriginal()
    {
        var derived = SerializerRegistry.Default.ToBuilder().Register("bytes", SerializerFactories.Raw).Build();

        Assert.Equal(["bytes", "json", "raw", "utf8"], derived.Formats);
        Assert.Equal(["json", "raw", "utf8"], SerializerRegistry.Default.Formats);
        Assert.True(derived.TryGetFactory("BYTES", out var factory));
        Assert.Same(SerializerFactories.Raw, factory);
    }

    [Fact]
    public void CreateSerializer_EmptyRegistry_SaysNoneRegistered()
    {
        var error = Assert.Throws<SerializerConfigurationException>(() => new SerializerRegistryBuilder().Build().CreateSerializer<string>("json"));

        Assert.Equal("Unknown serialization format 'json' for type 'string'. Registered formats: none.", error.Message);
    }

    [Fact]
    public void CreateSerializer_ManyThreads_AllSucceed()
    {
        var registry = SerializerRegistry.Default;

        Parallel.For(0, 1_000, i =>
        {
            Assert.NotNull(registry.CreateSerializer<Order>("json"));
            Assert.NotNull(registry.CreateDeserializer<string>("utf8"));
        });
    }

    private sealed class AddressCsv : IRecordSerializer<Address>, IRecordDeserializer<Address>
    {
        public string Format => "csv-address";

        public void Serialize(in Address value, IBufferWriter<byte> writer) => Encoding.UTF8.GetBytes($"{value.City},{value.Zip}", writer);

        public Address Deserialize(ReadOnlySpan<byte> data)
        {
            var parts = Encoding.UTF8.GetString(data).Split(',');
            return parts.Length == 2 ? new Address(parts[0], parts[1]) : throw new DeserializationException("csv-address", 0, "expected city,zip");
        }

        public Address Deserialize(in ReadOnlySequence<byte> data) => Deserialize(data.ToArray());
    }

    private sealed class RecordingFactory : ISerializerFactory
    {
        public SerializerRequest? Request { get; private set; }

        public string SupportedTypes => "string";

        public IRecordSerializer<T>? CreateSerializer<T>(SerializerRequest request) => null;

        public IRecordDeserializer<T>? CreateDeserializer<T>(SerializerRequest request)
        {
            Request = request;
            return SerializerRegistry.Default.CreateDeserializer<T>("utf8");
        }
    }
}
