using System.Buffers.Binary;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using DataWeaver.Configuration;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Kafka.Configuration;
using DataWeaver.Kafka.Tests.Support;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Xunit.Abstractions;

namespace DataWeaver.Kafka.Tests.Configuration;

/// <summary>
/// The Confluent Schema Registry wire format of JSON Schema and Protobuf messages in definition files
/// (docs/kafka-definition-files.md, "Schema Registry wire format"): <c>framing: confluent</c> with a <c>schemaId</c> on
/// the <c>json</c> and <c>protobuf</c> formats of a kafka sink and source.
/// </summary>
public sealed class KafkaRegistryFormatTests(ITestOutputHelper output) : IDisposable
{
    private const int Count = 50;
    private const int JsonSchemaId = 7;
    private const int ProtobufSchemaId = 1_000_009;
    private readonly string folder = Directory.CreateTempSubdirectory("dw-kafka-registry-").FullName;

    [Fact]
    public async Task DefinitionFile_JsonAndProtobufConfluentFraming_WritesTheWireFormatAndReadsItBack()
    {
        await using var cluster = await KafkaTestCluster.StartAsync(brokers: 1);
        var (input, jsonTopic, protobufTopic) = (KafkaTestCluster.UniqueTopic("sr-in"), KafkaTestCluster.UniqueTopic("sr-json"), KafkaTestCluster.UniqueTopic("sr-proto"));
        foreach (var topic in new[] { input, jsonTopic, protobufTopic })
        {
            await cluster.CreateTopicAsync(topic, partitions: 2);
        }

        using (var producer = KafkaClients.Producer(cluster.ProducerConfig(), output))
        {
            for (var i = 1; i <= Count; i++)
            {
                await producer.ProduceAsync(input, new Confluent.Kafka.Message<byte[], byte[]> { Value = Encoding.UTF8.GetBytes($$"""{"name":"f{{i}}","number":{{i}}}""") });
            }
        }

        // FieldDescriptorProto is the fifth top-level message of descriptor.proto: message indexes [4], not the short [0].
        var set = new FileDescriptorSet();
        set.File.Add(FileDescriptorProto.Parser.ParseFrom(DescriptorReflection.Descriptor.SerializedData));
        File.WriteAllBytes(Path.Combine(folder, "descriptor.pb"), set.ToByteArray());
        var protobuf = $"type: protobuf, settings: {{ descriptorSet: \"{Path.Combine(folder, "descriptor.pb")}\", messageType: google.protobuf.FieldDescriptorProto, framing: confluent, schemaId: {ProtobufSchemaId} }}";
        var text = $$"""
            version: 1
            framework: { type: kafka, settings: { bootstrapServers: "{{cluster.BootstrapServers}}" } }
            pipelines:
              - name: to-registry-formats
                source: { type: kafka, settings: { topic: {{input}}, group: {{KafkaTestCluster.UniqueGroup("sr")}} } }
                sinks:
                  - { type: kafka, format: { type: json, settings: { framing: confluent, schemaId: {{JsonSchemaId}} } }, settings: { topic: {{jsonTopic}} } }
                  - { type: kafka, format: { {{protobuf}} }, settings: { topic: {{protobufTopic}} } }
              - name: from-json
                source: { type: kafka, format: { type: json, settings: { framing: confluent, schemaId: {{JsonSchemaId}} } }, settings: { topic: {{jsonTopic}}, group: {{KafkaTestCluster.UniqueGroup("sr-json")}} } }
                sinks:
                  - { type: json-lines-file, settings: { path: "{{Path.Combine(folder, "from-json.jsonl")}}", append: true } }
              - name: from-protobuf
                source: { type: kafka, format: { {{protobuf}} }, settings: { topic: {{protobufTopic}}, group: {{KafkaTestCluster.UniqueGroup("sr-proto")}} } }
                sinks:
                  - { type: json-lines-file, settings: { path: "{{Path.Combine(folder, "from-protobuf.jsonl")}}", append: true } }
            """;
        var path = Path.Combine(folder, "registry.yaml");
        File.WriteAllText(path, text);
        await using var manager = new PipelineManager(new PipelineManagerOptions { Registry = ConnectorRegistry.CreateDefault().AddKafka().AddProtobuf() });
        manager.LoadFile(path);
        foreach (var name in new[] { "to-registry-formats", "from-json", "from-protobuf" })
        {
            manager.StartPipeline(name);
        }

        // The bytes on the topics: Confluent's header, then the JSON text or the protobuf message.
        var json = ReadValues(cluster, jsonTopic);
        var proto = ReadValues(cluster, protobufTopic);
        var fromJson = await WaitForLinesAsync(Path.Combine(folder, "from-json.jsonl"));
        var fromProtobuf = await WaitForLinesAsync(Path.Combine(folder, "from-protobuf.jsonl"));
        foreach (var name in new[] { "to-registry-formats", "from-json", "from-protobuf" })
        {
            await manager.StopPipelineAsync(name);
        }

        Assert.Equal(Count, json.Count);
        Assert.All(json, value =>
        {
            Assert.Equal(0, value[0]);
            Assert.Equal(JsonSchemaId, BinaryPrimitives.ReadInt32BigEndian(value.AsSpan(1)));
        });
        Assert.Equal(Expected(), json.Select(v => Encoding.UTF8.GetString(v.AsSpan(5))).Order());

        Assert.Equal(Count, proto.Count);
        Assert.All(proto, value => Assert.Equal(new byte[] { 0, 0x00, 0x0F, 0x42, 0x49, 2, 8 }, value[..7])); // id 1,000,009; count 1, index 4 (zig-zag)
        var parsed = proto.Select(v => FieldDescriptorProto.Parser.ParseFrom(v.AsSpan(7).ToArray())).ToList(); // Google.Protobuf's own parser
        Assert.Equal(Enumerable.Range(1, Count).Select(i => $"f{i}/{i}").Order(), parsed.Select(p => $"{p.Name}/{p.Number}").Order());

        // Read back through the same formats: every record once, as it was.
        Assert.Equal(Expected(), fromJson.Order());
        Assert.Equal(Expected(), fromProtobuf.Select(l => JsonSerializer.Serialize(JsonDocument.Parse(l).RootElement)).Order());

        static IEnumerable<string> Expected() => Enumerable.Range(1, Count).Select(i => $$"""{"name":"f{{i}}","number":{{i}}}""").Order();
    }

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private List<byte[]> ReadValues(KafkaTestCluster cluster, string topic)
    {
        using var consumer = KafkaClients.Consumer(cluster.ConsumerConfig(KafkaTestCluster.UniqueGroup("sr-read")), output);
        consumer.Subscribe(topic);
        var read = new List<byte[]>();
        var watch = Stopwatch.StartNew();
        while (read.Count < Count && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(200)) is { IsPartitionEOF: false } result)
            {
                read.Add(result.Message.Value);
            }
        }

        consumer.Close();
        return read;
    }

    private static async Task<string[]> WaitForLinesAsync(string path)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!File.Exists(path) || File.ReadAllLines(path).Count(l => l.EndsWith('}')) < Count)
        {
            await Task.Delay(100, timeout.Token);
        }

        return File.ReadAllLines(path);
    }
}
