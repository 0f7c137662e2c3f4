using DataWeaver.Pipelines;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration.Internal.Transforms;

/// <summary>
/// Turns a pipeline's transforms into builder steps: filters, one <see cref="JsonRecordTransform"/> per run of field
/// operations that touch different fields (one pass over each record), and code transforms, which are per-record
/// operators the engine fuses into one block; and the stateful <c>dedupe</c>, <c>window</c>, <c>reduce</c>, <c>join</c>, <c>enrich</c> and <c>throttle</c>, each a block of its own.
/// </summary>
internal sealed class TransformCompiler(ConnectorRegistry registry, TimeProvider time, string pipelineName, string? baseDirectory)
{
    /// <summary>
    /// Compiles the transforms. With <paramref name="construct"/> false (validation), code transforms are only looked up,
    /// never constructed; problems go to <paramref name="errors"/>.
    /// </summary>
    public List<Func<PipelineBuilder<JsonRecord>, PipelineBuilder<JsonRecord>>> Compile(IReadOnlyList<TransformDefinition> transforms, bool construct, List<ConfigurationError> errors)
    {
        List<Func<PipelineBuilder<JsonRecord>, PipelineBuilder<JsonRecord>>> steps = [];
        List<FieldOperation> group = [];
        HashSet<string> writes = new(StringComparer.Ordinal);
        var number = 0;

        void Flush()
        {
            if (group.Count == 0)
            {
                return;
            }

            var builder = JsonRecordTransform.CreateBuilder();
            try
            {
                foreach (var operation in group)
                {
                    operation.Apply(builder);
                }
            }
            catch (ArgumentException exception)
            {
                errors.Add(new ConfigurationError(ConfigurationErrorCode.Conflict, string.Empty, exception.Message, default));
            }

            var transform = builder.Build();
            var name = $"{string.Join(", ", group.Select(o => o.Description))}#{++number}";
            steps.Add(b => b.Map(r => ApplyIntoChunk(transform, r), name));
            group.Clear();
            writes.Clear();
        }

        foreach (var transform in transforms)
        {
            switch (transform.Kind)
            {
                case "filter":
                    Flush();
                    var condition = Conditions.Compile(transform.Arguments, errors);
                    var filterName = $"{transform.Describe()}#{++number}";
                    steps.Add(b => b.Filter(r => condition(r), filterName));
                    break;
                case "dedupe":
                    Flush();
                    if (StatefulTransforms.Dedupe(transform, errors, $"dedupe#{++number}") is { } dedupe)
                    {
                        steps.Add(dedupe);
                    }

                    break;
                case "window":
                    Flush();
                    if (StatefulTransforms.Window(transform, errors, $"window#{++number}") is { } window)
                    {
                        steps.Add(window);
                    }

                    break;
                case "reduce":
                    Flush();
                    if (ReduceTransform.Reduce(transform, errors, $"reduce#{++number}") is { } reduce)
                    {
                        steps.Add(reduce);
                    }

                    break;
                case "join":
                    Flush();
                    if (StreamJoinTransform.Join(transform, errors, $"join#{++number}") is { } join)
                    {
                        steps.Add(join);
                    }

                    break;
                case "enrich":
                    Flush();
                    if ((AsyncEnrichTransform.Handles(transform)
                        ? AsyncEnrichTransform.Compile(transform, registry, time, pipelineName, baseDirectory, construct, errors, $"enrich#{++number}")
                        : JoinTransforms.Enrich(transform, registry, baseDirectory, errors, $"enrich#{++number}")) is { } enrich)
                    {
                        steps.Add(enrich);
                    }

                    break;
                case "throttle":
                    Flush();
                    if (JoinTransforms.Throttle(transform, errors, $"throttle#{++number}") is { } throttle)
                    {
                        steps.Add(throttle);
                    }

                    break;
                case "code":
                    Flush();
                    var codeName = $"{transform.Describe()}#{++number}";
                    var code = construct ? Code(transform) : null;
                    if (code is not null)
                    {
                        steps.Add(b => b.Map(r => code(r) ?? default, codeName).Filter(static r => !r.IsDefault, codeName + ":drop"));
                    }

                    break;
                default:
                    if (FieldOperations.Compile(transform, time, errors) is { } operation)
                    {
                        if (!operation.CanJoin(writes))
                        {
                            Flush();
                        }

                        group.Add(operation);
                        writes.UnionWith(operation.Writes);
                    }

                    break;
            }
        }

        Flush();
        return steps;
    }

    /// <summary>Writes the transformed record into this thread's shared chunk: no array of its own, no copy out of a scratch buffer.</summary>
    private static JsonRecord ApplyIntoChunk(JsonRecordTransform transform, in JsonRecord record)
    {
        var chunk = RecordChunkWriter.ForThisThread;
        transform.Apply(record, chunk);
        return chunk.TakeUnchecked();
    }

    private Func<JsonRecord, JsonRecord?> Code(TransformDefinition transform)
    {
        var name = transform.Arguments["name"]!.Text!;
        var registration = registry.FindTransform(name)
            ?? throw new PipelineDefinitionException([new ConfigurationError(ConfigurationErrorCode.UnknownTransform, transform.Path, $"No transform named '{name}' is registered.", transform.Location)]);
        var settings = transform.Arguments["settings"] ?? ConfigValue.Mapping([], transform.Location, ConfigPath.Child(transform.Arguments.Path, "settings"));
        return registration.Factory(new TransformContext(pipelineName, registration.Name, new ConnectorSettings(settings, baseDirectory), time));
    }
}
