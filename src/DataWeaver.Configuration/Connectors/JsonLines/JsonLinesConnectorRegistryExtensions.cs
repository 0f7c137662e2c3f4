using DataWeaver.Checkpoints;
using DataWeaver.Configuration.Internal;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration;

/// <summary>
/// The <c>json-lines-file</c> source and sink in definition files. The connectors themselves are the engine's
/// <see cref="JsonLinesSource"/> and <see cref="JsonLinesSink{T}"/>; every default is theirs
/// (<see cref="JsonLinesSourceOptions"/>, <see cref="JsonLinesSinkOptions"/>).
/// </summary>
public static class JsonLinesConnectorRegistryExtensions
{
    private static readonly JsonLinesSourceOptions SourceDefaults = new();
    private static readonly JsonLinesSinkOptions SinkDefaults = new();

    private static readonly ConnectorDescriptor SourceDescriptor = new()
    {
        Description = "Reads a file line by line (any size, bounded memory); each line is one record in the connector's format.",
        Settings =
        [
            new("path", SettingType.Path) { Required = true, Description = "The file to read." },
            new("checkpointDirectory", SettingType.Path) { Default = "none", Description = "Keep the committed offset in this folder and resume from it." },
            new("checkpointKey", SettingType.String) { Default = "jsonl: and the file's full path", Description = "The checkpoint's key." },
            new("startOffset", SettingType.Integer) { Minimum = 0, Default = Units.FormatValue(SourceDefaults.StartOffset), Description = "The byte offset to start at when there is no checkpoint." },
            new("maxRecordBytes", SettingType.Size) { Minimum = 1, Maximum = 1 << 30, Default = Units.FormatSize(SourceDefaults.MaxRecordBytes), Description = "The longest line." },
            new("bufferSize", SettingType.Size) { Minimum = 4096, Maximum = 64 << 20, Default = Units.FormatSize(SourceDefaults.BufferSize), Description = "The read buffer." },
            new("follow", SettingType.Boolean) { Default = Units.FormatValue(SourceDefaults.Follow), Description = "Keep reading as the file grows (and across truncation and rotation) until stopped; false stops at the end, leaving a last line without a line end unread." },
            new("pollInterval", SettingType.Duration) { Default = Units.Format(SourceDefaults.PollInterval), Description = "How often a followed file is checked for new lines, truncation and rotation." },
            new("readUnterminatedLastLine", SettingType.Boolean) { Default = Units.FormatValue(SourceDefaults.ReadUnterminatedLastLine), Description = "Without follow: read bytes after the last line end as a final line (a complete file without its last newline). Never for a file still being written." },
        ],
    };

    private static readonly ConnectorDescriptor SinkDescriptor = new()
    {
        Description = "Writes one record per line; a batch is acknowledged once written.",
        Settings =
        [
            new("path", SettingType.Path) { Required = true, Output = true, Description = "The file to write (folders are created)." },
            new("append", SettingType.Boolean) { Default = Units.FormatValue(SinkDefaults.Append), Description = "Append instead of replacing the file." },
            new("flushToDisk", SettingType.Boolean) { Default = Units.FormatValue(SinkDefaults.FlushToDisk), Description = "Force each batch to the disk before acknowledging it." },
        ],
    };

    /// <summary>
    /// Registers the <c>json-lines-file</c> source and sink:
    /// <c>{ type: json-lines-file, settings: { path: ..., checkpointDirectory: ..., follow: ... } }</c> reads a file line by line,
    /// <c>{ type: json-lines-file, settings: { path: ..., append: ... } }</c> writes one record per line.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    /// <exception cref="ArgumentException">A source or sink named <c>json-lines-file</c> is already registered.</exception>
    public static ConnectorRegistry AddJsonLinesFile(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterPayloadSource("json-lines-file", CreateSource, SourceDescriptor)
            .RegisterSink("json-lines-file", c => new JsonLinesSink<JsonRecord>(
                SafeFileWriter.CheckPath(c.Settings.GetRequiredPath("path")), // reads the disk, creates nothing: building is validating
                c.Format.Serializer ?? throw new InvalidOperationException($"The format '{c.Format.Name}' cannot write."),
                new JsonLinesSinkOptions
                {
                    Append = c.Settings.GetBoolean("append", SinkDefaults.Append),
                    FlushToDisk = c.Settings.GetBoolean("flushToDisk", SinkDefaults.FlushToDisk),
                },
                c.Name), SinkDescriptor);
    }

    private static JsonLinesSource CreateSource(ConnectorContext context)
    {
        var settings = context.Settings;
        var checkpoints = settings.GetPath("checkpointDirectory");
        var path = settings.GetRequiredPath("path");

        // A secret in the path (e.g. in-${secret:TOKEN}.jsonl) must reach neither messages, dead letters nor the
        // checkpoint (its key is in the checkpoint's file name and content): both name the path with secrets masked,
        // the key with a hash of the real path so that two files still have two checkpoints.
        var fullPath = Path.GetFullPath(path);
        var display = SecretScrubber.Scrub(fullPath, context.SecretValues);
        var secretInPath = !string.Equals(display, fullPath, StringComparison.Ordinal);
        return new JsonLinesSource(path, new JsonLinesSourceOptions
        {
            CheckpointStore = checkpoints is null ? null : new FileCheckpointStore(checkpoints, new FileCheckpointStoreOptions { TimeProvider = context.TimeProvider }),
            CheckpointKey = settings.GetString("checkpointKey")
                ?? (secretInPath ? $"jsonl:{display}#{Files.FileInputs.Hash(fullPath)}" : null),
            DisplayPath = secretInPath ? display : null,
            Follow = settings.GetBoolean("follow", SourceDefaults.Follow),
            PollInterval = settings.GetDuration("pollInterval", SourceDefaults.PollInterval),
            ReadUnterminatedLastLine = settings.GetBoolean("readUnterminatedLastLine", SourceDefaults.ReadUnterminatedLastLine),
            StartOffset = settings.GetInt64("startOffset", SourceDefaults.StartOffset),
            MaxRecordBytes = (int)settings.GetSize("maxRecordBytes", SourceDefaults.MaxRecordBytes),
            BufferSize = (int)settings.GetSize("bufferSize", SourceDefaults.BufferSize),
            TimeProvider = context.TimeProvider,
        }, context.Name);
    }
}
