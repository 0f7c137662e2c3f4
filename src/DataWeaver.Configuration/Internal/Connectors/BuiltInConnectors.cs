using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Console;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Files.Output;
using DataWeaver.Connectors.Generator;
using DataWeaver.Connectors.Memory;
using DataWeaver.Serialization.Json;
using DataWeaver.Streams;
using DataWeaver.Streams.InProcess;

namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>The connectors, framework and formats <see cref="ConnectorRegistry.CreateDefault"/> registers.</summary>
internal static class BuiltInConnectors
{
    public static readonly ConnectorDescriptor Generator = new()
    {
        Description = "Generates records from their sequence number n: a fixed count or endless, optionally at a rate.",
        Settings =
        [
            new("fields", SettingType.Mapping) { Required = true, Description = "Field name -> a constant, a template such as \"user-{n % 100}\", or { number | cycle | template | value | timestamp | object: ... }." },
            new("count", SettingType.Integer) { Minimum = 0, Default = "endless", Description = "How many records to generate." },
            new("rate", SettingType.Number) { Minimum = 0.001, Default = "unthrottled", Description = "Records per second." },
            new("start", SettingType.Integer) { Minimum = 0, Default = "0", Description = "The sequence number of the first record." },
        ],
        Formats = ["json"],
        Validate = settings => Errors(errors => GeneratedRecordSpec.Compile(settings.Get("fields")!, errors)),
    };

    public static readonly ConnectorDescriptor Memory = new()
    {
        Description = "Reads the records written in the file, in order.",
        Settings = [new("records", SettingType.Sequence) { Required = true, Description = "The records: a sequence of mappings." }],
        Formats = ["json"],
        Validate = settings => Errors(errors => MemoryRecords(settings.Get("records")!, errors)),
    };

    public static readonly ConnectorDescriptor JsonLinesSource = new()
    {
        Description = "Reads a file line by line (any size, bounded memory); each line is one record in the connector's format.",
        Settings =
        [
            new("path", SettingType.Path) { Required = true, Description = "The file to read." },
            new("checkpointDirectory", SettingType.Path) { Default = "none", Description = "Keep the committed offset in this folder and resume from it." },
            new("checkpointKey", SettingType.String) { Default = "jsonl: and the file's full path", Description = "The checkpoint's key." },
            new("startOffset", SettingType.Integer) { Minimum = 0, Default = "0", Description = "The byte offset to start at when there is no checkpoint." },
            new("maxRecordBytes", SettingType.Size) { Minimum = 1, Maximum = 1 << 30, Default = "1MiB", Description = "The longest line." },
            new("bufferSize", SettingType.Size) { Minimum = 4096, Maximum = 64 << 20, Default = "64KiB", Description = "The read buffer." },
            new("follow", SettingType.Boolean) { Default = "false", Description = "Keep reading as the file grows (and across truncation and rotation) until stopped; false stops at the end, leaving a last line without a line end unread." },
            new("pollInterval", SettingType.Duration) { Default = "1s", Description = "How often a followed file is checked for new lines, truncation and rotation." },
            new("readUnterminatedLastLine", SettingType.Boolean) { Default = "false", Description = "Without follow: read bytes after the last line end as a final line (a complete file without its last newline). Never for a file still being written." },
        ],
    };

    public static readonly ConnectorDescriptor StreamSource = new()
    {
        Description = "Reads a stream of the pipeline's framework as a member of a consumer group; commits as records are acknowledged.",
        Settings =
        [
            new("topic", SettingType.String) { Required = true, Description = "The stream to read." },
            new("group", SettingType.String) { Default = StreamConsumerOptions.DefaultGroupId, Description = "The consumer group." },
            new("startFrom", SettingType.String) { AllowedValues = ["earliest", "latest"], Default = "earliest", Description = "Where a new group starts." },
            new("partitions", SettingType.Integer) { Minimum = 1, Default = "create with 1 when missing", Description = "Create the stream with this many partitions." },
        ],
    };

    public static readonly ConnectorDescriptor JsonLinesSink = new()
    {
        Description = "Writes one record per line; a batch is acknowledged once written.",
        Settings =
        [
            new("path", SettingType.Path) { Required = true, Output = true, Description = "The file to write (folders are created)." },
            new("append", SettingType.Boolean) { Default = "false", Description = "Append instead of replacing the file." },
            new("flushToDisk", SettingType.Boolean) { Default = "false", Description = "Force each batch to the disk before acknowledging it." },
        ],
    };

    public static readonly ConnectorDescriptor ConsoleSink = new()
    {
        Description = "Writes one record per line to the console.",
        Settings = [new("target", SettingType.String) { AllowedValues = ["stdout", "stderr"], Default = "stdout", Description = "Standard output or standard error." }],
    };

    public static readonly ConnectorDescriptor StreamSink = new()
    {
        Description = "Produces each record as a message to a stream of the pipeline's framework (key from the sink's key field).",
        Settings =
        [
            new("topic", SettingType.String) { Required = true, Description = "The stream to write." },
            new("partitions", SettingType.Integer) { Minimum = 1, Default = "create with 1 when missing", Description = "Create the stream with this many partitions." },
            new("keepTimestamp", SettingType.Boolean) { Default = "true", Description = "Keep each record's timestamp." },
        ],
    };

    public static readonly ConnectorDescriptor InProcessFramework = new()
    {
        Description = "The embedded in-process stream framework: streams in memory, shared by the pipelines of one manager.",
        Settings =
        [
            new("partitionCapacity", SettingType.Integer) { Minimum = 1, Default = "65536", Description = "Messages a partition keeps before producers wait." },
            new("maxMessageBytes", SettingType.Size) { Minimum = 1, Default = "1MiB", Description = "The largest message." },
        ],
    };

    public static void Register(ConnectorRegistry registry)
    {
        FileConnectors.Register(registry);
        registry
            .RegisterFormat("json", s => JsonRecordFormat.JsonWithLimit((int)s.GetSize("maxRecordBytes", JsonRecordOptions.DefaultMaxRecordBytes)), new ConnectorDescriptor
            {
                Description = "Each record is one JSON object.",
                Settings = [new("maxRecordBytes", SettingType.Size) { Minimum = 1, Maximum = int.MaxValue, Default = "1MiB" }],
            })
            .RegisterFormat("string", s => StringFormat(s, "string"), FieldFormat("Text as { field: text }; written back as that field's text."))
            .RegisterFormat("utf8", s => StringFormat(s, "utf8"), FieldFormat("The same as string."))
            .RegisterFormat("raw", s => RawFormat(s), FieldFormat("Bytes as { field: base64 }; written back decoded."))
            .RegisterFramework("in-process", c => new InProcessStreamFramework(new InProcessStreamOptions
            {
                PartitionCapacity = c.Settings.GetInt32("partitionCapacity", 65_536),
                MaxMessageBytes = (int)c.Settings.GetSize("maxMessageBytes", 1024 * 1024),
                TimeProvider = c.TimeProvider,
            }), InProcessFramework)
            .RegisterSource("generator", CreateGenerator, Generator)
            .RegisterSource("memory", c => new CollectionSource<JsonRecord>(Check(errors => MemoryRecords(c.Settings.Get("records")!, errors)), c.Name), Memory)
            .RegisterPayloadSource("json-lines-file", CreateJsonLinesSource, JsonLinesSource)
            .RegisterPayloadSource("stream", c => new ConfiguredStreamSource(
                c.Framework,
                c.Settings.GetRequiredString("topic"),
                (int?)c.Settings.GetOptionalInt64("partitions"),
                new StreamConsumerOptions
                {
                    GroupId = c.Settings.GetString("group", StreamConsumerOptions.DefaultGroupId),
                    StartFrom = c.Settings.GetString("startFrom", "earliest") == "latest" ? StreamStartPosition.Latest : StreamStartPosition.Earliest,
                },
                c.Name), StreamSource)
            .RegisterSink("json-lines-file", c => new JsonLinesSink<JsonRecord>(
                SafeFileWriter.CheckPath(c.Settings.GetRequiredPath("path")), // reads the disk, creates nothing: building is validating
                c.Format.Serializer ?? throw new InvalidOperationException($"The format '{c.Format.Name}' cannot write."),
                new JsonLinesSinkOptions { Append = c.Settings.GetBoolean("append", false), FlushToDisk = c.Settings.GetBoolean("flushToDisk", false) },
                c.Name), JsonLinesSink)
            .RegisterSink("console", c => new ConsoleSink<JsonRecord>(
                c.Format.Name == "json" ? static r => r.ToString() : r => System.Text.Encoding.UTF8.GetString(c.Format.Encode(r)),
                c.Settings.GetString("target", "stdout") == "stderr" ? System.Console.Error : System.Console.Out,
                c.Name), ConsoleSink)
            .RegisterSink("discard", c => new DiscardSink<JsonRecord>(c.Name), new ConnectorDescriptor { Description = "Acknowledges every record and keeps nothing." })
            .RegisterPayloadSink("stream", c => new ConfiguredStreamSink(
                c.Framework,
                c.Settings.GetRequiredString("topic"),
                (int?)c.Settings.GetOptionalInt64("partitions"),
                new StreamSinkOptions { KeepTimestamp = c.Settings.GetBoolean("keepTimestamp", true) },
                c.Name), StreamSink);
    }

    private static GeneratorSource<JsonRecord> CreateGenerator(ConnectorContext context)
    {
        var settings = context.Settings;
        var spec = Check(errors => GeneratedRecordSpec.Compile(settings.Get("fields") ?? ConfigValue.Mapping([], settings.Value.Location, settings.Value.Path + ".fields"), errors));
        return new GeneratorSource<JsonRecord>(spec.Generate, new GeneratorOptions
        {
            Count = settings.GetOptionalInt64("count"),
            RecordsPerSecond = settings.Contains("rate") ? settings.GetDouble("rate", 1) : null,
            Start = settings.GetInt64("start", 0),
            TimeProvider = context.TimeProvider,
        }, context.Name);
    }

    private static JsonLinesSource CreateJsonLinesSource(ConnectorContext context)
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
            Follow = settings.GetBoolean("follow", false),
            PollInterval = settings.GetDuration("pollInterval", TimeSpan.FromSeconds(1)),
            ReadUnterminatedLastLine = settings.GetBoolean("readUnterminatedLastLine", false),
            OnNotice = SourceNoticeLog.ForJsonLines(context),
            StartOffset = settings.GetInt64("startOffset", 0),
            MaxRecordBytes = (int)settings.GetSize("maxRecordBytes", 1024 * 1024),
            BufferSize = (int)settings.GetSize("bufferSize", 64 * 1024),
            TimeProvider = context.TimeProvider,
        }, context.Name);
    }

    private static ConnectorDescriptor FieldFormat(string description) => new()
    {
        Description = description,
        Settings = [new("field", SettingType.String) { Default = "value", Description = "The field holding the payload." }],
    };

    private static JsonRecordFormat StringFormat(ConnectorSettings settings, string name)
    {
        var codec = new StringFieldCodec(settings.GetString("field", "value"));
        return new JsonRecordFormat(name, codec, codec);
    }

    private static JsonRecordFormat RawFormat(ConnectorSettings settings)
    {
        var codec = new RawFieldCodec(settings.GetString("field", "value"));
        return new JsonRecordFormat("raw", codec, codec);
    }

    private static List<JsonRecord> MemoryRecords(ConfigValue records, List<ConfigurationError> errors)
    {
        List<JsonRecord> list = [];
        foreach (var item in records.Items)
        {
            if (item.Kind != ConfigValueKind.Mapping)
            {
                errors.Add(ConfigurationError.At(item, $"Each record is a mapping; found {item.Describe()}.", ConfigurationErrorCode.Type));
                continue;
            }

            list.Add(JsonRecord.Parse(item.ToJson(revealSecrets: true)));
        }

        return list;
    }

    private static List<ConfigurationError> Errors(Action<List<ConfigurationError>> check)
    {
        List<ConfigurationError> errors = [];
        check(errors);
        return errors;
    }

    private static T Check<T>(Func<List<ConfigurationError>, T> build)
    {
        List<ConfigurationError> errors = [];
        var result = build(errors);
        return errors.Count > 0 ? throw new PipelineDefinitionException(errors) : result;
    }
}
