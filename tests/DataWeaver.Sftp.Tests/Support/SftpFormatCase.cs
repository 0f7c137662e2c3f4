using DataWeaver.Configuration;
using DataWeaver.Configuration.Files;
using DataWeaver.Connectors;
using DataWeaver.Formats.Avro;
using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Serialization.Json;
using DataWeaver.Sftp.Configuration;
using Google.Protobuf;
using Google.Protobuf.Reflection;
using Google.Protobuf.WellKnownTypes;

namespace DataWeaver.Sftp.Tests.Support;

/// <summary>The credentials a connector of a test gets, through <c>${secret:...}</c> as a definition file writes them.</summary>
internal sealed record SftpCredentials(string? Password, string? PrivateKey = null, string? Passphrase = null, string? Fingerprint = null)
{
    public static SftpCredentials Default => new(SftpTestServer.Password);

    /// <summary>The key encrypted with the test's canary secret as its passphrase, and the password.</summary>
    public static SftpCredentials WithSecret(string secret, string directory) => new(SftpTestServer.Password, SftpTestServer.EncryptedKey(secret, directory), secret);
}

/// <summary>
/// One format of the <c>sftp</c> connector as a definition file writes it (the connectors are built by the factory a
/// definition file goes through, so the tests run the code users run), and the local <c>file</c> connector of the same
/// format as the reference that writes the inputs and reads the outputs back. Records are <c>{"id": N}</c>.
/// </summary>
internal sealed class SftpFormatCase
{
    private const string AvroSchema = """{"type":"record","name":"Item","fields":[{"name":"id","type":"long"}]}""";

    private SftpFormatCase(string name, string extension, string format, string idField)
    {
        Name = name;
        Extension = extension;
        Format = format;
        IdField = idField;
    }

    public static SftpFormatCase Json { get; } = new("json", ".jsonl", "json", "id");

    public static SftpFormatCase Text { get; } = new("text", ".txt", "text", "line");

    public static SftpFormatCase Csv { get; } = new("csv", ".csv", "{ type: csv, settings: { columns: { id: integer } } }", "id");

    public static SftpFormatCase Avro { get; } = new("avro", ".avro", "{ type: avro, settings: { schema: '" + AvroSchema + "' } }", "id");

    public static SftpFormatCase Protobuf { get; } = new("protobuf", ".pb", "{ type: protobuf, settings: { descriptorSet: DESCRIPTORS, messageType: google.protobuf.Int64Value } }", "value");

    public string Name { get; }

    public string Extension { get; }

    public bool CanAppend => Name != "avro";

    private string Format { get; }

    private string IdField { get; }

    public static ConnectorRegistry Registry() => ConnectorRegistry.CreateDefault().AddSftp().AddCsv().AddAvro().AddProtobuf();

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

    public SftpSource Source(string directory, string remotePath, SftpCredentials credentials, string? settings = null, int port = SftpTestServer.Port) =>
        (SftpSource)Create(directory, $"{{ type: sftp, format: {FormatIn(directory)}, settings: {{ path: '{remotePath}'{Connection(credentials, port)}{settings} }} }}", ConnectorRole.Source, credentials);

    public SftpSink Sink(string directory, string remotePath, bool append, SftpCredentials credentials, int port = SftpTestServer.Port) =>
        (SftpSink)Create(directory, $"{{ type: sftp, format: {FormatIn(directory)}, settings: {{ path: '{remotePath}', append: {(append ? "true" : "false")}{Connection(credentials, port)} }} }}", ConnectorRole.Sink, credentials);

    /// <summary>Writes <paramref name="count"/> records in the format with the local <c>file</c> sink, and uploads the file.</summary>
    public async Task WriteInputAsync(string directory, string remotePath, int count, int first = 0)
    {
        var local = Path.Combine(directory, "upload-" + Guid.NewGuid().ToString("N") + Extension);
        var sink = (FileSink)Create(directory, $"{{ type: file, format: {FormatIn(directory)}, settings: {{ path: '{local}' }} }}", ConnectorRole.Sink, null);
        await sink.OpenAsync();
        try
        {
            await sink.WriteAsync(Enumerable.Range(first, count).Select(i => Record(i)).ToArray());
            await sink.FlushAsync();
        }
        finally
        {
            await sink.CloseAsync();
        }

        SftpTestServer.Upload(local, remotePath);
        File.Delete(local);
    }

    /// <summary>Downloads a remote file of the format and reads it back with the local <c>file</c> source: the ids, in file order.</summary>
    public async Task<IReadOnlyList<long>> ReadIdsAsync(string directory, string remotePath)
    {
        var local = Path.Combine(directory, "download-" + Guid.NewGuid().ToString("N") + Extension);
        if (!SftpTestServer.Download(remotePath, local))
        {
            return [];
        }

        var source = (FileSource)Create(directory, $"{{ type: file, format: {FormatIn(directory)}, settings: {{ path: '{local}' }} }}", ConnectorRole.Source, null);
        await source.OpenAsync();
        List<long> ids = [];
        await foreach (var record in source.ReadAsync())
        {
            ids.Add(Id(record));
        }

        await source.CloseAsync();
        File.Delete(local);
        return ids;
    }

    public override string ToString() => Name;

    private static string Connection(SftpCredentials credentials, int port) =>
        $", host: {SftpTestServer.Host}, port: {port}, username: {SftpTestServer.Username}, hostKeyFingerprint: '{credentials.Fingerprint ?? SftpTestServer.HostKeyFingerprint}', reconnectDelay: 100ms"
        + (credentials.Password is null ? "" : ", password: '${secret:SFTP_PASSWORD}'")
        + (credentials.PrivateKey is null ? "" : ", privateKey: '${secret:SFTP_KEY}'")
        + (credentials.Passphrase is null ? "" : ", privateKeyPassphrase: '${secret:SFTP_PASSPHRASE}'");

    private static Connector Create(string directory, string connector, ConnectorRole role, SftpCredentials? credentials)
    {
        var registry = Registry();
        var environment = new Dictionary<string, string?>
        {
            ["SFTP_PASSWORD"] = credentials?.Password,
            ["SFTP_KEY"] = credentials?.PrivateKey,
            ["SFTP_PASSPHRASE"] = credentials?.Passphrase,
        };
        var yaml = $"version: 1\npipelines:\n  - name: p\n    source: {(role == ConnectorRole.Source ? connector : "{ type: memory, settings: { records: [] } }")}\n    sinks: [{(role == ConnectorRole.Sink ? connector : "{ type: discard }")}]\n";
        var file = PipelineDefinitionLoader.Parse(yaml, "contract.yaml", new PipelineLoadOptions { Registry = registry, Environment = name => environment.GetValueOrDefault(name), BaseDirectory = directory });
        var factory = new PipelineFactory(registry, new PipelineFactoryOptions { BaseDirectory = directory });
        var definition = file.Pipelines.Single();
        return factory.CreateConnector(role == ConnectorRole.Source ? definition.Source : definition.Sinks.Single());
    }

    private string FormatIn(string directory)
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
