using DataWeaver.Configuration;
using DataWeaver.Connectors;
using DataWeaver.Formats.Avro;
using DataWeaver.Formats.Csv;
using DataWeaver.Formats.Protobuf;
using DataWeaver.Formats.Tests.Contract;
using DataWeaver.Serialization.Json;
using DataWeaver.Sftp.Configuration;

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
/// definition file goes through, so the tests run the code users run), over the local <c>file</c> connector's case of
/// the same format (tests/DataWeaver.Formats.Tests), which writes the inputs and reads the outputs back. Records are
/// <c>{"id": N}</c>.
/// </summary>
internal sealed class SftpFormatCase(FileFormatCase local)
{
    public static SftpFormatCase Json { get; } = new(FileFormatCase.Json);

    public static SftpFormatCase Text { get; } = new(FileFormatCase.Text);

    public static SftpFormatCase Csv { get; } = new(FileFormatCase.Csv);

    public static SftpFormatCase Avro { get; } = new(FileFormatCase.Avro);

    public static SftpFormatCase Protobuf { get; } = new(FileFormatCase.Protobuf);

    public string Name => local.Name;

    public string Extension => local.Extension;

    public bool CanAppend => local.CanAppend;

    public JsonRecord Record(long id) => local.Record(id);

    public long Id(JsonRecord record) => local.Id(record);

    public SftpSource Source(string directory, string remotePath, SftpCredentials credentials, string? settings = null, int port = SftpTestServer.Port) =>
        (SftpSource)Create(directory, $"{{ type: sftp, format: {local.FormatIn(directory)}, settings: {{ path: '{remotePath}'{Connection(credentials, port)}{settings} }} }}", ConnectorRole.Source, credentials);

    public SftpSink Sink(string directory, string remotePath, bool append, SftpCredentials credentials, int port = SftpTestServer.Port) =>
        (SftpSink)Create(directory, $"{{ type: sftp, format: {local.FormatIn(directory)}, settings: {{ path: '{remotePath}', append: {(append ? "true" : "false")}{Connection(credentials, port)} }} }}", ConnectorRole.Sink, credentials);

    /// <summary>Writes <paramref name="count"/> records in the format with the local <c>file</c> sink, and uploads the file.</summary>
    public async Task WriteInputAsync(string directory, string remotePath, int count)
    {
        var file = Path.Combine(directory, "upload-" + Guid.NewGuid().ToString("N") + Extension);
        await local.WriteInputAsync(directory, file, count);
        SftpTestServer.Upload(file, remotePath);
        File.Delete(file);
    }

    /// <summary>Downloads a remote file of the format and reads it back with the local <c>file</c> source: the ids, in file order.</summary>
    public async Task<IReadOnlyList<long>> ReadIdsAsync(string directory, string remotePath)
    {
        var file = Path.Combine(directory, "download-" + Guid.NewGuid().ToString("N") + Extension);
        if (!SftpTestServer.Download(remotePath, file))
        {
            return [];
        }

        var ids = await local.ReadIdsAsync(directory, file);
        File.Delete(file);
        return ids;
    }

    public override string ToString() => Name;

    private static string Connection(SftpCredentials credentials, int port) =>
        $", host: {SftpTestServer.Host}, port: {port}, username: {SftpTestServer.Username}, hostKeyFingerprint: '{credentials.Fingerprint ?? SftpTestServer.HostKeyFingerprint}', reconnectDelay: 100ms"
        + (credentials.Password is null ? "" : ", password: '${secret:SFTP_PASSWORD}'")
        + (credentials.PrivateKey is null ? "" : ", privateKey: '${secret:SFTP_KEY}'")
        + (credentials.Passphrase is null ? "" : ", privateKeyPassphrase: '${secret:SFTP_PASSPHRASE}'");

    private static Connector Create(string directory, string connector, ConnectorRole role, SftpCredentials credentials)
    {
        var registry = ConnectorRegistry.CreateDefault().AddSftp().AddCsv().AddAvro().AddProtobuf();
        var environment = new Dictionary<string, string?>
        {
            ["SFTP_PASSWORD"] = credentials.Password,
            ["SFTP_KEY"] = credentials.PrivateKey,
            ["SFTP_PASSPHRASE"] = credentials.Passphrase,
        };
        var yaml = $"version: 1\npipelines:\n  - name: p\n    source: {(role == ConnectorRole.Source ? connector : "{ type: memory, settings: { records: [] } }")}\n    sinks: [{(role == ConnectorRole.Sink ? connector : "{ type: discard }")}]\n";
        var file = PipelineDefinitionLoader.Parse(yaml, "sftp.yaml", new PipelineLoadOptions { Registry = registry, Environment = name => environment.GetValueOrDefault(name), BaseDirectory = directory });
        var factory = new PipelineFactory(registry, new PipelineFactoryOptions { BaseDirectory = directory });
        var definition = file.Pipelines.Single();
        return factory.CreateConnector(role == ConnectorRole.Source ? definition.Source : definition.Sinks.Single());
    }
}
