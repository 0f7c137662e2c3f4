using System.Text;
using DataWeaver.Configuration.Tests.Support;
using DataWeaver.Records;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;
using DataWeaver.Streams.InProcess;

namespace DataWeaver.Configuration.Tests.Registry;

public sealed class RegistryTests
{
    [Fact]
    public void CreateDefault_BuiltIns_AreRegistered()
    {
        var registry = ConnectorRegistry.CreateDefault();

        Assert.Equal(["file", "generator", "json-lines-file", "memory", "stream"], registry.SourceTypes);
        Assert.Equal(["console", "discard", "file", "json-lines-file", "stream"], registry.SinkTypes);
        Assert.Equal(["in-process"], registry.FrameworkTypes);
        Assert.Equal(["json", "raw", "string", "text", "utf8"], registry.FormatNames);
        Assert.Empty(registry.TransformNames);
    }

    [Theory]
    [InlineData("")]
    [InlineData("9lives")]
    [InlineData("has space")]
    [InlineData("json-lines-file")]
    public void RegisterSource_InvalidOrTakenName_Throws(string name)
    {
        var registry = ConnectorRegistry.CreateDefault();

        Assert.ThrowsAny<ArgumentException>(() => registry.RegisterSource(name, _ => new DataWeaver.Connectors.Memory.CollectionSource<JsonRecord>([])));
    }

    [Fact]
    public async Task RegisterFramework_KafkaLikeTypeFromAnotherAssembly_StreamConnectorsUseIt()
    {
        // What the Kafka assembly does: register a framework type; the built-in stream connectors then run over it.
        List<InProcessStreamFramework> created = [];
        List<string> secrets = [];
        var capture = new Capture(ConnectorRegistry.CreateDefault().RegisterFramework("kafka", context =>
        {
            secrets.AddRange(context.SecretValues);
            var framework = new InProcessStreamFramework(new InProcessStreamOptions { Name = context.Settings.GetRequiredString("bootstrapServers") });
            created.Add(framework);
            return framework;
        }, new ConnectorDescriptor
        {
            Settings = [new("bootstrapServers", SettingType.String) { Required = true }, new("sasl.password", SettingType.String) { Secret = true }],
            AllowOtherSettings = true,
        }));
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            framework:
              type: kafka
              settings: { bootstrapServers: "broker:9092", sasl.password: "${KAFKA_PASSWORD}", acks: all }
            pipelines:
              - name: to-kafka
                source: { type: memory, settings: { records: [{ id: 1, user: u1 }, { id: 2, user: u2 }] } }
                sinks: [{ type: stream, key: user, settings: { topic: users, partitions: 2 } }]
              - name: from-kafka
                source: { type: stream, settings: { topic: users, partitions: 2 } }
                sinks: [{ type: capture }]
            """, "kafka.yaml", new PipelineLoadOptions { Registry = capture.Registry, Environment = Env.Of(("KAFKA_PASSWORD", "pw")) });
        await using var factory = new PipelineFactory(capture.Registry);

        await factory.Create(file["to-kafka"]).RunAsync();
        var reading = factory.Create(file["from-kafka"]).Start();
        while (reading.Statistics.RecordsRead < 2)
        {
            await Task.Delay(5);
        }

        await reading.StopAsync();

        Assert.Equal("broker:9092", Assert.Single(created).Name); // one framework, shared by both pipelines
        Assert.Equal(["""{"id":1,"user":"u1"}""", """{"id":2,"user":"u2"}"""], capture["capture"].Order(StringComparer.Ordinal));
        Assert.Equal(["pw"], file.SecretValues);
        Assert.Equal(["pw"], secrets);
        Assert.Equal("""{"bootstrapServers":"broker:9092","sasl.password":"***","acks":"all"}""", file["to-kafka"].Framework.Settings.ToJson());
    }

    [Fact]
    public async Task RegisterPayloadSourceAndFormat_CustomFormat_DecodesPayloads()
    {
        // A CSV-ish format: "id;name" lines become {"id": "...", "name": "..."} records.
        var codec = new SemicolonCodec();
        var capture = new Capture(ConnectorRegistry.CreateDefault()
            .RegisterFormat("semicolon", _ => new JsonRecordFormat("semicolon", codec, codec))
            .RegisterPayloadSource("lines", context => new DataWeaver.Connectors.Memory.CollectionSource<Record<ReadOnlyMemory<byte>>>(
                [.. context.Settings.GetStringList("lines").Select(l => new Record<ReadOnlyMemory<byte>>(default, Encoding.UTF8.GetBytes(l), null, default, default))], context.Name)));

        var lines = await capture.RunAsync("""
            version: 1
            pipelines:
              - name: p
                source: { type: lines, format: semicolon, settings: { lines: ["1;ann", "2;bob"] } }
                transforms: [{ cast: { field: id, to: int } }]
                sinks: [{ type: capture }]
            """);

        Assert.Equal(["""{"id":1,"name":"ann"}""", """{"id":2,"name":"bob"}"""], lines);
    }

    [Fact]
    public async Task Formats_StringAndRaw_WrapAndUnwrapPayloads()
    {
        using var folder = new TestFolder();
        await File.WriteAllLinesAsync(folder.File("in.txt"), ["plain text", "more text"]);
        var file = PipelineDefinitionLoader.Parse("""
            version: 1
            pipelines:
              - name: text
                source: { type: json-lines-file, format: string, settings: { path: in.txt } }
                transforms: [{ set: { field: upper, template: "<{value}>" } }]
                sinks:
                  - { type: json-lines-file, settings: { path: records.jsonl } }
                  - { type: json-lines-file, format: { type: string, settings: { field: upper } }, settings: { path: text.txt } }
              - name: bytes
                source: { type: json-lines-file, format: raw, settings: { path: in.txt } }
                sinks:
                  - { type: json-lines-file, settings: { path: base64.jsonl } }
                  - { type: json-lines-file, format: raw, settings: { path: copy.txt } }
            """, "p.yaml", new PipelineLoadOptions { BaseDirectory = folder.Path });
        await using var factory = new PipelineFactory(options: new PipelineFactoryOptions { BaseDirectory = folder.Path });

        await factory.Create(file["text"]).RunAsync();
        await factory.Create(file["bytes"]).RunAsync();

        Assert.Equal(["""{"value":"plain text","upper":"<plain text>"}""", """{"value":"more text","upper":"<more text>"}"""], folder.Lines("records.jsonl"));
        Assert.Equal(["<plain text>", "<more text>"], folder.Lines("text.txt"));
        Assert.Equal(["""{"value":"cGxhaW4gdGV4dA=="}""", """{"value":"bW9yZSB0ZXh0"}"""], folder.Lines("base64.jsonl"));
        Assert.Equal(["plain text", "more text"], folder.Lines("copy.txt"));
    }

    [Fact]
    public void Load_SerializerFormatThatCannotCarryJsonRecords_IsRefusedAtLoad()
    {
        var registry = ConnectorRegistry.CreateDefault().UseSerializers(SerializerRegistry.CreateBuilder()
            .Register("ints", SerializerFactories.ForType<int>(null, new IntCodec()))
            .Build());

        var error = Assert.Single(PipelineDefinitionLoader.Validate("""
            version: 1
            pipelines:
              - name: p
                source: { type: json-lines-file, format: ints, settings: { path: in.txt } }
                sinks: [{ type: console }]
            """, "p.yaml", new PipelineLoadOptions { Registry = registry }));

        Assert.Equal((ConfigurationErrorCode.UnknownFormat, "pipelines[0].source.format"), (error.Code, error.Path));
        Assert.Equal("The format 'ints' handles int (read only), not the JSON records pipelines from files carry; register a JSON record format with ConnectorRegistry.RegisterFormat.", error.Message);
    }

    private sealed class SemicolonCodec : IRecordSerializer<JsonRecord>, IRecordDeserializer<JsonRecord>
    {
        public string Format => "semicolon";

        public void Serialize(in JsonRecord value, System.Buffers.IBufferWriter<byte> writer) => throw new NotSupportedException();

        public JsonRecord Deserialize(ReadOnlySpan<byte> data)
        {
            var parts = Encoding.UTF8.GetString(data).Split(';');
            return JsonRecord.Parse(System.Text.Json.JsonSerializer.Serialize(new { id = parts[0], name = parts[1] }));
        }

        public JsonRecord Deserialize(in System.Buffers.ReadOnlySequence<byte> data) => Deserialize(data.FirstSpan);
    }

    private sealed class IntCodec : IRecordDeserializer<int>
    {
        public string Format => "ints";

        public int Deserialize(ReadOnlySpan<byte> data) => int.Parse(data, provider: null);

        public int Deserialize(in System.Buffers.ReadOnlySequence<byte> data) => Deserialize(data.FirstSpan);
    }
}
