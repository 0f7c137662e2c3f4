using System.Globalization;
using DataWeaver.Checkpoints;
using DataWeaver.Configuration;
using DataWeaver.Configuration.Formats;
using DataWeaver.Errors;

namespace DataWeaver.Sftp.Configuration;

/// <summary>Adds SFTP to pipeline definition files: the <c>sftp</c> source and sink (see docs/sftp.md).</summary>
public static class SftpConnectorRegistryExtensions
{
    /// <summary>The connector type name in definition files.</summary>
    public const string TypeName = "sftp";

    private static readonly SftpConnectionOptions Defaults = new() { Host = "-", Username = "-" };

    private static readonly SettingDescriptor[] ConnectionSettings =
    [
        new("host", SettingType.String) { Required = true, Description = "The SFTP server's host name or address." },
        new("port", SettingType.Integer) { Minimum = 1, Maximum = 65535, Default = Defaults.Port.ToString(CultureInfo.InvariantCulture), Description = "The server's SSH port." },
        new("username", SettingType.String) { Required = true, Description = "The user name." },
        new("password", SettingType.String) { Secret = true, Description = "The password (a secret: write it as ${secret:NAME} or ${env:NAME}); never printed." },
        new("privateKey", SettingType.String) { Secret = true, Description = "The text of an OpenSSH or PEM private key (a secret); tried before the password." },
        new("privateKeyFile", SettingType.Path) { Description = "A file holding the private key (its content is treated as a secret)." },
        new("privateKeyPassphrase", SettingType.String) { Secret = true, Description = "The passphrase of an encrypted private key (a secret)." },
        new("hostKeyFingerprint", SettingType.String) { Description = "The server's host key fingerprint as ssh-keygen -lf prints it (SHA256:...); required unless acceptAnyHostKey is true." },
        new("acceptAnyHostKey", SettingType.Boolean) { Default = "false", Description = "Accept any host key without a check (tests and trusted networks only)." },
        new("connectTimeout", SettingType.Duration) { Default = "30s", Description = "The time limit of connecting and authenticating." },
        new("operationTimeout", SettingType.Duration) { Default = "60s", Description = "The time limit of one SFTP request." },
        new("maxReconnectAttempts", SettingType.Integer) { Minimum = 0, Maximum = 1000, Default = Defaults.MaxReconnectAttempts.ToString(CultureInfo.InvariantCulture), Description = "Attempts in a row to connect again after a lost connection." },
        new("reconnectDelay", SettingType.Duration) { Default = "500ms", Description = "The wait before the first reconnection attempt; doubles each time, up to 30s." },
    ];

    /// <summary>
    /// Registers the <c>sftp</c> source (<see cref="SftpSource"/>: a remote file, folder or pattern in any file format,
    /// a checkpoint per file in <c>checkpointDirectory</c>) and the <c>sftp</c> sink (<see cref="SftpSink"/>: replaces the
    /// remote file when the run succeeds, or appends; dead-letter files always append).
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    public static ConnectorRegistry AddSftp(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterSource(TypeName, context => CreateSource(registry, context), new ConnectorDescriptor
            {
                Description = "Reads records from files on an SFTP server (a file, a folder, or a pattern such as in/*.csv) in the connector's format; one checkpoint per file.",
                Settings =
                [
                    new("path", SettingType.String) { Required = true, Description = "The remote file, folder (its files in name order) or pattern with * or ? in its last segment; relative to the user's home folder." },
                    new("checkpointDirectory", SettingType.Path) { Default = "none", Description = "Keep each file's committed position (with its size and a hash of its first 4 KiB) in this local folder and resume from it." },
                    new("readUnterminatedLastLine", SettingType.Boolean) { Default = "false", Description = "Read bytes after a file's last complete record as a final record; never for files still being written." },
                    .. ConnectionSettings,
                ],
            })
            .RegisterSink(TypeName, context => CreateSink(registry, context), new ConnectorDescriptor
            {
                Description = "Writes records to a file on an SFTP server in the connector's format: replaces it (through a temporary file renamed at the end) when the run succeeds, or appends.",
                Settings =
                [
                    new("path", SettingType.String) { Required = true, Description = "The remote file to write; its folder must exist." },
                    new("append", SettingType.Boolean) { Default = "false", Description = "Append to the file instead of replacing it when the run succeeds (dead-letter files always append)." },
                    .. ConnectionSettings,
                ],
            });
    }

    private static SftpSource CreateSource(ConnectorRegistry registry, ConnectorContext context)
    {
        var settings = context.Settings;
        var checkpoints = settings.GetPath("checkpointDirectory");
        return new SftpSource(settings.GetRequiredString("path"), new SftpSourceOptions
        {
            Connection = Connection(settings),
            Format = Layout(registry, context),
            CheckpointStore = checkpoints is null ? null : new FileCheckpointStore(checkpoints, new FileCheckpointStoreOptions { TimeProvider = context.TimeProvider }),
            ReadUnterminatedLastLine = settings.GetBoolean("readUnterminatedLastLine", false),
            TimeProvider = context.TimeProvider,
        }, context.Name);
    }

    private static SftpSink CreateSink(ConnectorRegistry registry, ConnectorContext context)
    {
        var settings = context.Settings;
        return new SftpSink(settings.GetRequiredString("path"), new SftpSinkOptions
        {
            Connection = Connection(settings),
            Format = Layout(registry, context),
            Append = context.Role == ConnectorRole.DeadLetter || settings.GetBoolean("append", false),
            TimeProvider = context.TimeProvider,
        }, context.Name);
    }

    private static SftpConnectionOptions Connection(ConnectorSettings settings)
    {
        var key = settings.GetString("privateKey");
        if (key is null && settings.GetPath("privateKeyFile") is { } keyFile)
        {
            key = File.ReadAllText(keyFile);
        }

        return new SftpConnectionOptions
        {
            Host = settings.GetRequiredString("host"),
            Port = settings.GetInt32("port", Defaults.Port),
            Username = settings.GetRequiredString("username"),
            Password = settings.GetString("password"),
            PrivateKey = key,
            PrivateKeyPassphrase = settings.GetString("privateKeyPassphrase"),
            HostKeyFingerprint = settings.GetString("hostKeyFingerprint"),
            AcceptAnyHostKey = settings.GetBoolean("acceptAnyHostKey", false),
            ConnectTimeout = settings.GetDuration("connectTimeout", Defaults.ConnectTimeout),
            OperationTimeout = settings.GetDuration("operationTimeout", Defaults.OperationTimeout),
            MaxReconnectAttempts = settings.GetInt32("maxReconnectAttempts", Defaults.MaxReconnectAttempts),
            ReconnectDelay = settings.GetDuration("reconnectDelay", Defaults.ReconnectDelay),
        };
    }

    /// <summary>The file layout of the connector's format (json, text, csv, avro, protobuf: the <c>file</c> connector's).</summary>
    private static RecordFileFormat Layout(ConnectorRegistry registry, ConnectorContext context)
    {
        var format = context.Definition.Format;
        if (!registry.TryGetFileFormat(format.Name, out var factory))
        {
            throw new PipelineConfigurationException([$"The sftp connector '{context.Name}' reads and writes files: its format '{format.Name}' has no file layout (use json, text, csv, avro or protobuf, with their packages registered)."]);
        }

        // ConnectorSettings resolves relative paths against the factory's base directory; recover it from a resolved path.
        var baseDirectory = System.IO.Path.GetDirectoryName(context.Settings.ResolvePath("x"));
        return factory(new ConnectorSettings(format.Settings, baseDirectory));
    }
}
