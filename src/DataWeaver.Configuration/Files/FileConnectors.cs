using DataWeaver.Checkpoints;
using DataWeaver.Configuration.Files;
using DataWeaver.Configuration.Formats;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>The <c>file</c> source and sink, the <c>text</c> format and the line layouts of <c>json</c> and <c>text</c>.</summary>
internal static class FileConnectors
{
    public static readonly ConnectorDescriptor FileSourceDescriptor = new()
    {
        Description = "Reads records from a file, a folder, a pattern (in/*.csv) or standard input (-) in the connector's format; .gz files are gunzipped; one checkpoint per file.",
        Settings =
        [
            new("path", SettingType.Path) { Required = true, Description = "A file, a folder (its files in name order), a pattern with * or ? in its last segment, or - for standard input." },
            new("compression", SettingType.String) { AllowedValues = ["auto", "none", "gzip"], Default = "auto", Description = "gzip for names ending in .gz (auto), never, or always." },
            new("checkpointDirectory", SettingType.Path) { Default = "none", Description = "Keep each file's committed position (with the file's identity) in this folder and resume from it." },
            new("readUnterminatedLastLine", SettingType.Boolean) { Default = "false", Description = "Read bytes after a file's last complete record (a last line without its line end) as a final record; never for files still being written." },
        ],
        Validate = settings => StandardInputChecks(settings),
    };

    public static readonly ConnectorDescriptor FileSinkDescriptor = new()
    {
        Description = "Writes records to a file or standard output (-) in the connector's format; .gz files are gzipped. Replaces the file when the run succeeds, or appends.",
        Settings =
        [
            new("path", SettingType.Path) { Required = true, Output = true, Description = "The file to write (folders are created), or - for standard output." },
            new("append", SettingType.Boolean) { Default = "false", Description = "Append to the file instead of replacing it when the run succeeds (dead-letter files always append)." },
            new("compression", SettingType.String) { AllowedValues = ["auto", "none", "gzip"], Default = "auto", Description = "gzip for names ending in .gz (auto), never, or always." },
            new("flushToDisk", SettingType.Boolean) { Default = "false", Description = "Force each batch to the disk before acknowledging it." },
        ],
    };

    public static readonly ConnectorDescriptor TextFormat = new()
    {
        Description = "Text lines: each line is { field: \"the line\" }; written back as that field's text, one line per record.",
        Settings =
        [
            new("field", SettingType.String) { Default = "line", Description = "The field holding the line." },
            new("maxRecordBytes", SettingType.Size) { Minimum = 1, Maximum = int.MaxValue, Default = "1MiB", Description = "The longest line." },
        ],
    };

    /// <summary>Where the path <c>-</c> reads and writes; tests swap them.</summary>
    internal static Func<Stream>? StandardInput { get; set; }

    /// <inheritdoc cref="StandardInput"/>
    internal static Func<Stream>? StandardOutput { get; set; }

    public static void Register(ConnectorRegistry registry)
    {
        registry
            .RegisterFormat("text", s => TextMessages(s), TextFormat)
            .RegisterFileFormat("json", s => new JsonLineFormat(new JsonRecordOptions { MaxRecordBytes = (int)s.GetSize("maxRecordBytes", JsonRecordOptions.DefaultMaxRecordBytes) }))
            .RegisterFileFormat("text", s => new TextLineFormat(s.GetString("field", "line")!, (int)s.GetSize("maxRecordBytes", LineRecordFormat.DefaultMaxLineBytes)))
            .RegisterSource("file", c => CreateSource(registry, c), FileSourceDescriptor)
            .RegisterSink("file", c => CreateSink(registry, c), FileSinkDescriptor);
    }

    /// <summary>The layout of a connector's format: its own, or one payload of the format per line.</summary>
    internal static RecordFileFormat Layout(ConnectorRegistry registry, ConnectorContext context)
    {
        var format = context.Definition.Format;
        return registry.TryGetFileFormat(format.Name, out var factory)
            ? factory(new ConnectorSettings(format.Settings, BaseDirectory(context)))
            : new PayloadLineFormat(context.Format);
    }

    private static FileSource CreateSource(ConnectorRegistry registry, ConnectorContext context)
    {
        var settings = context.Settings;
        var checkpoints = settings.GetPath("checkpointDirectory");
        return new FileSource(PathOf(settings), new FileSourceOptions
        {
            Format = Layout(registry, context),
            Compression = Compression(settings),
            CheckpointStore = checkpoints is null ? null : new FileCheckpointStore(checkpoints, new FileCheckpointStoreOptions { TimeProvider = context.TimeProvider }),
            Scrub = Scrubber(context),
            ReadUnterminatedLastLine = settings.GetBoolean("readUnterminatedLastLine", false),
            TimeProvider = context.TimeProvider,
            StandardInput = StandardInput,
        }, context.Name);
    }

    private static FileSink CreateSink(ConnectorRegistry registry, ConnectorContext context)
    {
        var settings = context.Settings;
        return new FileSink(PathOf(settings), new FileSinkOptions
        {
            Format = Layout(registry, context),
            Append = context.Role == ConnectorRole.DeadLetter || settings.GetBoolean("append", false),
            Compression = Compression(settings),
            FlushToDisk = settings.GetBoolean("flushToDisk", false),
            StandardOutput = StandardOutput,
        }, context.Name);
    }

    private static string PathOf(ConnectorSettings settings)
    {
        var path = settings.GetRequiredString("path");
        return path == "-" ? path : settings.ResolvePath(path);
    }

    private static string? BaseDirectory(ConnectorContext context)
    {
        // ConnectorSettings resolves relative paths against the factory's base directory; recover it from a resolved path.
        var probe = context.Settings.ResolvePath("x");
        return Path.GetDirectoryName(probe);
    }

    private static FileCompression Compression(ConnectorSettings settings) => settings.GetString("compression", "auto") switch
    {
        "none" => FileCompression.None,
        "gzip" => FileCompression.Gzip,
        _ => FileCompression.Auto,
    };

    private static Func<string, string>? Scrubber(ConnectorContext context)
    {
        var secrets = context.SecretValues.Where(s => s.Length > 0).ToArray();
        return secrets.Length == 0 ? null : text => secrets.Aggregate(text, static (t, s) => t.Replace(s, "***", StringComparison.Ordinal));
    }

    private static JsonRecordFormat TextMessages(ConnectorSettings settings)
    {
        var codec = new StringFieldCodec(settings.GetString("field", "line")!);
        return new JsonRecordFormat("text", codec, codec);
    }

    private static IEnumerable<ConfigurationError> StandardInputChecks(ConnectorSettings settings)
    {
        if (settings.GetString("path") == "-" && settings.Get("checkpointDirectory") is { } checkpoint)
        {
            yield return ConfigurationError.At(checkpoint, "Standard input (path: -) cannot resume from a checkpoint: remove checkpointDirectory.", ConfigurationErrorCode.InvalidValue);
        }
    }
}
