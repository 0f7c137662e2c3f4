using DataWeaver.Configuration.Internal;
using DataWeaver.Configuration.Internal.Transforms;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Configuration.Loading.Internal;

/// <summary>
/// Reads a schema-checked tree into definitions and checks what the schema cannot: registered types, connector settings
/// against their descriptors, formats, code transforms, duplicate names, consistent error policies, files written twice.
/// Never constructs a connector, framework or code transform. Defensive: where the schema already reported a problem it
/// stays quiet, so each problem is reported once.
/// </summary>
internal sealed partial class DefinitionReader(ConnectorRegistry registry, ErrorList errors, string? baseDirectory, HashSet<string> secrets)
{
    private readonly Dictionary<string, (string Path, ConfigLocation Location)> _outputs = new(StringComparer.Ordinal);

    public PipelineFileDefinition Read(ConfigValue root, PipelineFileFormat format)
    {
        var fileFramework = root["framework"] is { Kind: ConfigValueKind.Mapping } framework ? ReadFramework(framework) : FrameworkDefinition.InProcess;
        List<PipelineDefinition> pipelines = [];
        Dictionary<string, ConfigValue> names = new(StringComparer.Ordinal);
        foreach (var node in root["pipelines"]?.Items ?? [])
        {
            if (node.Kind != ConfigValueKind.Mapping)
            {
                continue;
            }

            var pipeline = ReadPipeline(node, fileFramework);
            if (node["name"] is { Kind: ConfigValueKind.String } name)
            {
                if (names.TryGetValue(pipeline.Name, out var first))
                {
                    errors.Add(ConfigurationErrorCode.DuplicateName, name, $"Duplicate pipeline name '{pipeline.Name}': it is already the name of {first.Path} (line {first.Location.Line}); names are unique within a file.");
                }
                else
                {
                    names[pipeline.Name] = name;
                }
            }

            pipelines.Add(pipeline);
        }

        var secretValues = new ValueList<string>(secrets.Order(StringComparer.Ordinal), hidden: true);
        return new PipelineFileDefinition
        {
            FileName = errors.File,
            Format = format,
            Pipelines = new ValueList<PipelineDefinition>(pipelines.Select(p => p with { SecretValues = secretValues })),
            SecretValues = secretValues,
        };
    }

    private PipelineDefinition ReadPipeline(ConfigValue node, FrameworkDefinition fileFramework)
    {
        var name = Text(node["name"]) ?? node.Path;
        var framework = node["framework"] is { Kind: ConfigValueKind.Mapping } own ? ReadFramework(own) : fileFramework;
        var (source, sources, sourceField) = ReadSources(node);
        HashSet<string> sinkNames = new(StringComparer.Ordinal);
        var sinks = (node["sinks"]?.Items ?? []).Where(s => s.Kind == ConfigValueKind.Mapping).Select(s => ReadConnector(s, ConnectorRole.Sink, sinkNames)).ToList();
        var batch = ReadBatch(node["batch"]);
        if (node["batch"]?["size"] is null && node["capacity"]?["inFlightRecords"] is { } inFlightNode && Int(inFlightNode, batch.Size) is var inFlight && inFlight is > 0 && inFlight < batch.Size)
        {
            batch = batch with { Size = inFlight }; // as the engine: the default batch never exceeds the in-flight bound given
        }

        var definition = new PipelineDefinition
        {
            Name = name,
            Description = Text(node["description"]),
            Framework = framework,
            Source = source,
            Sources = new ValueList<ConnectorDefinition>(sources),
            SourceField = sourceField,
            Transforms = new ValueList<TransformDefinition>(ReadTransforms(node["transforms"], name)),
            Parallelism = ReadParallelism(node["parallelism"]),
            Batch = batch,
            Capacity = ReadCapacity(node["capacity"], batch),
            Errors = ReadErrors(node["errors"]),
            CommitInterval = ReadCommitInterval(node["commitInterval"]),
            Sinks = new ValueList<ConnectorDefinition>(sinks),
            Path = node.Path,
            Location = node.Location,
        };
        return definition;
    }

    private List<TransformDefinition> ReadTransforms(ConfigValue? node, string pipelineName)
    {
        List<TransformDefinition> transforms = [];
        foreach (var item in node?.Items ?? [])
        {
            if (item.Properties is [var only] && !errors.HasAtOrBelow(item.Path))
            {
                transforms.Add(new TransformDefinition { Kind = only.Name, Arguments = only.Value, Path = item.Path, Location = only.NameLocation });
            }
        }

        List<ConfigurationError> problems = [];
        foreach (var code in transforms.Where(t => t.Kind == "code"))
        {
            CheckCodeTransform(code);
        }

        CheckEnrichments(transforms);

        // Compiling checks conditions, templates and operands; code transforms are looked up above, never constructed here.
        new TransformCompiler(registry, TimeProvider.System, pipelineName, baseDirectory).Compile(transforms, construct: false, problems);
        foreach (var problem in problems)
        {
            errors.Add(problem.Code, problem.Path, problem.Location, problem.Message);
        }

        return transforms;
    }

    private void CheckCodeTransform(TransformDefinition code)
    {
        var nameValue = code.Arguments["name"]!;
        var registration = registry.FindTransform(nameValue.Text!);
        if (registration is null)
        {
            var known = registry.TransformNames;
            errors.Add(ConfigurationErrorCode.UnknownTransform, nameValue, $"No transform named '{nameValue.Text}' is registered{Suggestions.DidYouMean(nameValue.Text!, known)}. {(known.Count == 0 ? "None is registered: register C# transforms with ConnectorRegistry.RegisterTransform." : "Registered: " + Suggestions.List(known) + ".")}");
            return;
        }

        var settings = code.Arguments["settings"] ?? ConfigValue.Mapping([], code.Location, ConfigPath.Child(code.Arguments.Path, "settings"));
        CheckSettings(settings, registration.Descriptor, $"transform '{registration.Name}'");
    }

    private ParallelismDefinition ReadParallelism(ConfigValue? node)
    {
        if (node is not { Kind: ConfigValueKind.Mapping })
        {
            return new ParallelismDefinition();
        }

        var ordering = Text(node["ordering"]) switch
        {
            "key-ordered" => StageOrdering.KeyOrdered,
            "unordered" => StageOrdering.Unordered,
            _ => StageOrdering.Ordered,
        };
        var key = Text(node["key"]);
        if (ordering == StageOrdering.KeyOrdered && key is null && !errors.HasAt(node.Path + ".ordering"))
        {
            errors.Add(ConfigurationErrorCode.Required, ConfigPath.Child(node.Path, "key"), node.Location, "'ordering: key-ordered' needs 'key': the field whose value picks a record's lane.");
        }
        else if (ordering != StageOrdering.KeyOrdered && key is not null)
        {
            errors.Add(ConfigurationErrorCode.Conflict, node["key"]!, "'key' picks the lanes of 'ordering: key-ordered'; with another ordering it does nothing. Set the ordering, or remove the key.");
        }

        return new ParallelismDefinition { Degree = Int(node["degree"], 1), Ordering = ordering, Key = key };
    }

    private BatchDefinition ReadBatch(ConfigValue? node) => node is not { Kind: ConfigValueKind.Mapping }
        ? new BatchDefinition()
        : new BatchDefinition { Size = Int(node["size"], EngineDefaults.Options.BatchSize), Window = CheckedWindow(node["window"]) };

    private TimeSpan? CheckedWindow(ConfigValue? window)
    {
        CheckDuration(window, TimeSpan.FromMilliseconds(1), "1ms");
        return Duration(window);
    }

    private CapacityDefinition ReadCapacity(ConfigValue? node, BatchDefinition batch)
    {
        if (node is not { Kind: ConfigValueKind.Mapping })
        {
            return new CapacityDefinition { Records = new PipelineOptions { BatchSize = batch.Size }.DefaultStageCapacity, InFlightRecords = Math.Max(EngineDefaults.Options.MaxInFlightRecords, batch.Size) };
        }

        var capacity = new CapacityDefinition
        {
            Records = Int(node["records"], new PipelineOptions { BatchSize = batch.Size }.DefaultStageCapacity),
            Bytes = node["bytes"] is { } bytes && Units.TryParseSize(bytes, out var size) ? size : EngineDefaults.Options.MaxInFlightBytes,
            InFlightRecords = Int(node["inFlightRecords"], Math.Max(EngineDefaults.Options.MaxInFlightRecords, batch.Size)),
        };
        if (node["inFlightRecords"] is { } inFlight && capacity.InFlightRecords < batch.Size && !errors.HasAt(inFlight.Path))
        {
            errors.Add(ConfigurationErrorCode.Range, inFlight, $"Must be at least the batch size ({batch.Size}): the source reads whole batches; found {capacity.InFlightRecords}.");
        }

        return capacity;
    }

    private static TimeSpan ReadCommitInterval(ConfigValue? node) => Text(node) switch
    {
        null => TimeSpan.FromSeconds(5),
        "continuous" => TimeSpan.Zero,
        "on-stop" => Timeout.InfiniteTimeSpan,
        var text => Units.TryParseDuration(text, out var interval) ? interval : TimeSpan.FromSeconds(5),
    };

    private ErrorsDefinition ReadErrors(ConfigValue? node)
    {
        if (node is not { Kind: ConfigValueKind.Mapping })
        {
            return new ErrorsDefinition();
        }

        var deadLetterNode = node["deadLetter"] is { Kind: ConfigValueKind.Mapping } d ? d : null;
        var deadLetter = deadLetterNode is null ? null : ReadConnector(deadLetterNode, ConnectorRole.DeadLetter, null);
        var onFailureNode = node["onFailure"];
        var onFailure = Text(onFailureNode) switch
        {
            "skip" => ErrorAction.Skip,
            "dead-letter" => ErrorAction.DeadLetter,
            "fail" => ErrorAction.Fail,
            _ => deadLetter is null ? ErrorAction.Fail : ErrorAction.DeadLetter,
        };
        if (onFailure == ErrorAction.DeadLetter && deadLetter is null && onFailureNode is not null)
        {
            errors.Add(ConfigurationErrorCode.Conflict, onFailureNode, "'onFailure: dead-letter' needs a dead-letter target: add errors.deadLetter, e.g. { type: json-lines-file, settings: { path: dead-letters.jsonl } }.");
        }
        else if (onFailure != ErrorAction.DeadLetter && deadLetterNode is not null && onFailureNode is not null && !errors.HasAt(onFailureNode.Path))
        {
            errors.Add(ConfigurationErrorCode.Conflict, deadLetterNode, $"'deadLetter' is set but 'onFailure' is {Text(onFailureNode)}: no record would ever reach it. Remove one of them.");
        }

        return new ErrorsDefinition
        {
            Retry = ReadRetry(node["retry"]),
            CircuitBreaker = node["circuitBreaker"] is { Kind: ConfigValueKind.Mapping } breaker && CheckBreaker(breaker) ? new CircuitBreakerDefinition
            {
                FailureRatio = breaker["failureRatio"] is { } ratio && ratio.TryGetDouble(out var r) ? r : 0.5,
                MinimumThroughput = Int(breaker["minimumThroughput"], 100),
                SamplingDuration = Duration(breaker["samplingDuration"]) ?? TimeSpan.FromSeconds(30),
                BreakDuration = Duration(breaker["breakDuration"]) ?? TimeSpan.FromSeconds(5),
            } : null,
            OnFailure = onFailure,
            DeadLetter = deadLetter,
            UnknownErrors = Text(node["unknownErrors"]) switch
            {
                "data" => ErrorClass.Data,
                "transient" => ErrorClass.Transient,
                _ => ErrorClass.Fatal,
            },
        };
    }

    private RetryDefinition ReadRetry(ConfigValue? node)
    {
        if (node is not { Kind: ConfigValueKind.Mapping })
        {
            return new RetryDefinition();
        }

        var retry = new RetryDefinition
        {
            Attempts = Int(node["attempts"], 1),
            Backoff = Duration(node["backoff"]) ?? TimeSpan.FromMilliseconds(100),
            MaxBackoff = Duration(node["maxBackoff"]) ?? TimeSpan.FromSeconds(30),
            Timeout = Duration(node["timeout"]),
        };
        if (retry.MaxBackoff < retry.Backoff && node["maxBackoff"] is { } max && !errors.HasAt(max.Path))
        {
            errors.Add(ConfigurationErrorCode.Range, max, $"'maxBackoff' ({Units.Format(retry.MaxBackoff)}) must be at least 'backoff' ({Units.Format(retry.Backoff)}).");
        }

        CheckDuration(node["backoff"], TimeSpan.Zero, "0ms");
        CheckDuration(node["maxBackoff"], TimeSpan.Zero, "0ms");
        CheckDuration(node["timeout"], TimeSpan.FromMilliseconds(10), "10ms");
        return retry;
    }

    private bool CheckBreaker(ConfigValue breaker)
    {
        // Polly's limits: a sampling period and a break of at least half a second.
        CheckDuration(breaker["samplingDuration"], TimeSpan.FromMilliseconds(500), "500ms");
        CheckDuration(breaker["breakDuration"], TimeSpan.FromMilliseconds(500), "500ms");
        return true;
    }

    /// <summary>Checks a duration is within [minimum, 1 day], the range the engine and Polly accept.</summary>
    private void CheckDuration(ConfigValue? value, TimeSpan minimum, string minimumText)
    {
        if (value is not null && Duration(value) is { } duration && !errors.HasAt(value.Path) && (duration < minimum || duration > TimeSpan.FromDays(1)))
        {
            errors.Add(ConfigurationErrorCode.Range, value, $"Must be from {minimumText} to 1d; found {value.Describe()}.");
        }
    }

    private static string? Text(ConfigValue? value) => value is { Kind: ConfigValueKind.String } ? value.Text : null;

    private static int Int(ConfigValue? value, int fallback) =>
        value is not null && value.TryGetInt64(out var number) && number is >= int.MinValue and <= int.MaxValue ? (int)number : fallback;

    private static TimeSpan? Duration(ConfigValue? value) => value is not null && Units.TryParseDuration(value.Text, out var duration) ? duration : null;
}
