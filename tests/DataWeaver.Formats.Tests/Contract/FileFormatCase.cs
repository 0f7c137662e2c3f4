using DataWeaver.Configuration;
using DataWeaver.Configuration.Files;
using DataWeaver.Connectors;
using DataWeaver.Formats.Avro;
using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Serialization.Json;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace DataWeaver.Formats.Tests.Contract;

/// <summary>
/// One format of the <c>file</c> connector as a definition file writes it: the connectors are built by the same factory a
/// definition file goes through, so the contract suites run the code users run. Records are <c>{"id": N}</c>.
/// </summary>
internal sealed class FileFormatCase
{
    private const string AvroSchema = """{"type":"record","name":"Item","fields":[{"name":"id","type":"long"}]}""";

    private FileFormatCase(string name, string extension, string format, string idField)
    {
        Name = name;
        Extension = extension;
        Format = format;
        IdField = idField;
    }

    public static FileFormatCase Json { get; } = new("json", ".jsonl", "json", "id");

    public static FileFormatCase Text { get; } = new("text", ".txt", "text", "line");

    public static FileFormatCase Csv { get; } = new("csv", ".csv", "{ type: csv, settings: { columns: { id: integer } } }", "id");

    public static FileFormatCase Avro { get; } = new("avro", ".avro", "{ type: avro, settings: { schema: '" + AvroSchema + "' } }", "id");

    public static FileFormatCase Protobuf { get; } = new("protobuf", ".pb", "{ type: protobuf, settings: { descriptorSet: DESCRIPTORS, messageType: google.protobuf.Int64Value } }", "value");

    public string Name { get; }

    public string Extension { get; }

    /// <summary>Gets a value indicating whether the format's files can be appended to.</summary>
    public bool CanAppend => Name != "avro";

    private string Format { get; }

    private string IdField { get; }

    public JsonRecord Record(long id) => JsonRecord.Parse(Name == "text" ? $"{{\"line\":\"{id}\"}}" : $"{{\"{IdField}\":{id}}}");

    public long Id(JsonRecord record)
    {
        if (!record.TryGetField(IdField, out var field))
        {
            throw new InvalidOperationException($"The record has no '{IdField}': {record}");
        }

        return field.TryGetInt64(out var number) ? number
            : field.TryGetString(out var text) ? long.Parse(text, System.Globalization.CultureInfo.InvariantCulture)
            : throw new InvalidOperationException($"'{IdField}' is not a number: {record}");
    }

    public FileSource Source(string directory, string path, string? settings = null) =>
        (FileSource)Create(directory, $"{{ type: file, format: {FormatIn(directory)}, settings: {{ path: '{path}'{settings} }} }}", ConnectorRole.Source);

    public FileSink Sink(string directory, string path, bool append) =>
        (FileSink)Create(directory, $"{{ type: file, format: {FormatIn(directory)}, settings: {{ path: '{path}', append: {(append ? "true" : "false")} }} }}", ConnectorRole.Sink);

    /// <summary>Writes <paramref name="count"/> records in the format, through the format's own sink.</summary>
    public async Task WriteInputAsync(string directory, string path, int count)
    {
        var sink = Sink(directory, path, append: false);
        await sink.OpenAsync();
        try
        {
            var records = Enumerable.Range(0, count).Select(i => Record(i)).ToArray();
            await sink.WriteAsync(records);
            await sink.FlushAsync();
        }
        finally
        {
            await sink.CloseAsync();
        }
    }

    /// <summary>Reads a file of the format back: the ids, in file order.</summary>
    public async Task<IReadOnlyList<long>> ReadIdsAsync(string directory, string path)
    {
        if (!File.Exists(path))
        {
            return [];
        }

        var source = Source(directory, path);
        await source.OpenAsync();
        List<long> ids = [];
        await foreach (var record in source.ReadAsync())
        {
            ids.Add(Id(record));
        }

        await source.CloseAsync();
        return ids;
    }

    public override string ToString() => Name;

    private static Connector Create(string directory, string connector, ConnectorRole role)
    {
        var registry = ConnectorRegistry.CreateDefault().AddCsv().AddAvro().AddProtobuf();
        var yaml = $"version: 1\npipelines:\n  - name: p\n    source: {(role == ConnectorRole.Source ? connector : "{ type: memory, settings: { records: [] } }")}\n    sinks: [{(role == ConnectorRole.Sink ? connector : "{ type: discard }")}]\n";
        var file = PipelineDefinitionLoader.Parse(yaml, "contract.yaml", new PipelineLoadOptions { Registry = registry, Environment = _ => null, BaseDirectory = directory });
        var factory = new PipelineFactory(registry, new PipelineFactoryOptions { BaseDirectory = directory });
        var definition = file.Pipelines.Single();
        return factory.CreateConnector(role == ConnectorRole.Source ? definition.Source : definition.Sinks.Single());
    }

    public string FormatIn(string directory)
    {
        if (Name != "protobuf")
        {
            return Format;
        }

        var path = Path.Combine(directory, "descriptors.pb");
        if (!File.Exists(path))
        {
            var set = new FileDescriptorSet();
            set.File.Add(FileDescriptorProto.Parser.ParseFrom(WrappersReflection.Descriptor.SerializedData));
            File.WriteAllBytes(path, set.ToByteArray());
        }

        return Format.Replace("DESCRIPTORS", "'" + path + "'", StringComparison.Ordinal);
    }
}
