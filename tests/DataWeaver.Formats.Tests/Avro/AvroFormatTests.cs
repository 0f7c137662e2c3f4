using DataWeaver.Configuration;
using DataWeaver.Formats.Avro;
using DataWeaver.Formats.Tests.Support;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Json;
using static DataWeaver.Formats.Tests.Files.FileConnectorTests;

namespace DataWeaver.Formats.Tests.Avro;

public sealed class AvroFormatTests
{
    private const string Schema = """{"type":"record","name":"Order","fields":[{"name":"id","type":"long"},{"name":"customer","type":"string"},{"name":"amount","type":["null","double"]},{"name":"when","type":{"type":"long","logicalType":"timestamp-millis"}}]}""";

    private const string Orders = """
        {"id":1,"customer":"ada","amount":12.5,"when":"2026-01-02T03:04:05.006Z"}
        {"id":2,"customer":"bob","amount":null,"when":"2026-01-02T03:04:05Z"}

        """;

    [Fact]
    public async Task RunAsync_JsonToAvroAndBack_RoundTripsEveryRecord()
    {
        using var run = new DefinitionRun(r => r.AddAvro());
        run.Write("order.avsc", Schema);
        run.Write("in.jsonl", Orders);
        await run.RunAsync(Pipeline("{ type: file, settings: { path: in.jsonl } }", "{ type: file, format: { type: avro, settings: { schemaFile: order.avsc, codec: deflate } }, settings: { path: orders.avro } }"));
        using (var reader = AvroContainerReader.Open(File.OpenRead(run.PathOf("orders.avro"))))
        {
            Assert.Equal("deflate", reader.Codec);
            Assert.Equal([1L, 2L], reader.ReadAll().Cast<GenericRecord>().Select(r => (long)r["id"]!).ToArray());
        }

        await run.RunAsync(Pipeline("{ type: file, format: avro, settings: { path: orders.avro } }", "{ type: file, settings: { path: back.jsonl } }"));
        Assert.Equal(Orders.Replace("05Z", "05.000Z", StringComparison.Ordinal), run.Read("back.jsonl"));
    }

    [Fact]
    public async Task RunAsync_RecordThatDoesNotFitTheSchema_GoesToDeadLetters()
    {
        using var run = new DefinitionRun(r => r.AddAvro());
        run.Write("in.jsonl", "{\"id\":1,\"customer\":\"ada\",\"amount\":1,\"when\":\"2026-01-01T00:00:00Z\"}\n{\"id\":\"two\",\"customer\":\"bob\",\"amount\":null,\"when\":\"2026-01-01T00:00:00Z\"}\n");
        await run.RunAsync(Pipeline(
            "{ type: file, settings: { path: in.jsonl } }",
            "{ type: file, format: { type: avro, settings: { schema: '" + Schema + "' } }, settings: { path: out.avro } }",
            deadLetter: "{ type: file, settings: { path: dead.jsonl } }"));
        using var reader = AvroContainerReader.Open(File.OpenRead(run.PathOf("out.avro")));
        Assert.Single(reader.ReadAll());
        Assert.Contains("$.id: expected long, found the string \"two\"", Assert.Single(DeadLetters.Messages(run.Read("dead.jsonl"))), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_TruncatedContainerFileReadAsComplete_DeadLettersTheRecordNumber()
    {
        using var run = new DefinitionRun(r => r.AddAvro());
        var schema = AvroSchema.Parse("""{"type":"record","name":"R","fields":[{"name":"s","type":"string"}]}""");
        using (var writer = new AvroContainerWriter(File.Create(run.PathOf("good.avro")), schema))
        {
            for (var i = 0; i < 3; i++)
            {
                var record = new GenericRecord((RecordSchema)schema);
                record["s"] = "value " + i;
                writer.Append(record);
            }

            writer.Flush();
            var block = new GenericRecord((RecordSchema)schema);
            block["s"] = "in the second block";
            writer.Append(block);
        }

        var bytes = File.ReadAllBytes(run.PathOf("good.avro"));
        run.Write("cut.avro", bytes[..^20]);
        await run.RunAsync(Pipeline("{ type: file, format: avro, settings: { path: cut.avro, readUnterminatedLastLine: true } }", "{ type: file, settings: { path: out.jsonl } }", deadLetter: "{ type: file, settings: { path: dead.jsonl } }"));
        Assert.Equal("{\"s\":\"value 0\"}\n{\"s\":\"value 1\"}\n{\"s\":\"value 2\"}\n", run.Read("out.jsonl"));
        Assert.StartsWith("cut.avro record 4: ", Assert.Single(DeadLetters.Messages(run.Read("dead.jsonl"))), StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_BadSchema_NamesTheKey()
    {
        using var run = new DefinitionRun(r => r.AddAvro());
        var error = Assert.Single(run.Validate(Pipeline("{ type: file, format: { type: avro, settings: { schema: '{\"type\":\"recrod\"}' } }, settings: { path: in.avro } }", "{ type: discard }")));
        Assert.EndsWith("format.settings.schema", error.Path, StringComparison.Ordinal);
        Assert.StartsWith("Not an Avro schema", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Format_ConfluentFraming_WritesMagicByteAndSchemaIdAndReadsItBack()
    {
        using var run = new DefinitionRun(r => r.AddAvro());
        var format = MessageFormat(run, "{ type: avro, settings: { schema: '" + Schema + "', framing: confluent, schemaId: 42 } }");
        var record = JsonRecord.Parse("""{"id":7,"customer":"cy","amount":2.5,"when":"2026-01-02T03:04:05.000Z"}""");
        var bytes = format.Encode(record);
        Assert.Equal(new byte[] { 0, 0, 0, 0, 42 }, bytes[..5]);
        Assert.Equal(record.ToString(), format.Decode(bytes).ToString());
        bytes[4] = 41;
        Assert.Contains("schema id is 41", Assert.ThrowsAny<Exception>(() => format.Decode(bytes)).Message, StringComparison.Ordinal);
    }

    internal static JsonRecordFormat MessageFormat(DefinitionRun run, string format)
    {
        var file = PipelineDefinitionLoader.Parse(Pipeline("{ type: memory, settings: { records: [] } }", "{ type: discard, format: " + format + " }"), "p.yaml", new PipelineLoadOptions { Registry = run.Registry, Environment = _ => null, BaseDirectory = run.Folder });
        var definition = file.Pipelines.Single().Sinks.Single().Format;
        return run.Registry.FindFormat(definition.Name)!.Factory(new ConnectorSettings(definition.Settings, run.Folder));
    }
}
