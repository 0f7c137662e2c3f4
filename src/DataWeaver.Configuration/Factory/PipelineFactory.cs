using DataWeaver.Configuration.Internal;
using DataWeaver.Configuration.Internal.Connectors;
using DataWeaver.Configuration.Internal.Connectors.Merging;
using DataWeaver.Configuration.Internal.Messages;
using DataWeaver.Configuration.Internal.Transforms;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;
using DataWeaver.Streams;

namespace DataWeaver.Configuration;

/// <summary>
/// Builds engine <see cref="Pipeline"/>s from validated <see cref="PipelineDefinition"/>s with the connector factories
/// of a <see cref="ConnectorRegistry"/>: source, decode (for payload sources), parallel stage, transforms (fused into one
/// block), batch window, encode and sinks (broadcast when there are several), with the error policy and capacities of the
/// definition. Creating constructs connectors; it never connects (a pipeline opens its connectors when it starts).
/// Owns the stream frameworks it creates (one per distinct framework definition, shared): dispose it after the pipelines.
/// </summary>
public sealed class PipelineFactory : IAsyncDisposable
{
    private readonly Dictionary<string, IStreamFramework> _frameworks = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _disposed;

    /// <summary>Creates a factory.</summary>
    /// <param name="registry">The connector types; <see langword="null"/> uses <see cref="ConnectorRegistry.CreateDefault"/>.</param>
    /// <param name="options">Base directory and clock; <see langword="null"/> uses the defaults.</param>
    public PipelineFactory(ConnectorRegistry? registry = null, PipelineFactoryOptions? options = null)
    {
        Registry = registry ?? ConnectorRegistry.CreateDefault();
        Options = options ?? new PipelineFactoryOptions();
    }

    /// <summary>Gets the registry connectors are created from.</summary>
    public ConnectorRegistry Registry { get; }

    /// <summary>Gets the factory's options.</summary>
    public PipelineFactoryOptions Options { get; }

    /// <summary>Builds an engine pipeline from a definition.</summary>
    /// <param name="definition">A definition from <c>PipelineDefinitionLoader</c> (DataWeaver.Configuration.Yaml).</param>
    /// <returns>The built pipeline, not started.</returns>
    /// <exception cref="PipelineDefinitionException">A connector, framework or code transform factory refused its settings.</exception>
    /// <exception cref="ObjectDisposedException">The factory was disposed.</exception>
    public Pipeline Create(PipelineDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ObjectDisposedException.ThrowIf(_disposed, this);
        List<ConfigurationError> problems = [];
        var transforms = Guard(definition, definition.Path, definition.Location, () =>
            new TransformCompiler(Registry, Options.TimeProvider, definition.Name, Options.BaseDirectory).Compile(definition.Transforms, construct: true, problems));
        if (problems.Count > 0)
        {
            throw new PipelineDefinitionException([.. problems.Select(p => p with { Message = definition.Scrub(p.Message) })]);
        }

        var options = new PipelineOptions
        {
            Name = definition.Name,
            BatchSize = definition.Batch.Size,
            MaxInFlightRecords = definition.Capacity.InFlightRecords,
            MaxInFlightBytes = definition.Capacity.Bytes,
            DefaultStageCapacity = definition.Capacity.Records,
            CommitInterval = definition.CommitInterval,
            TimeProvider = Options.TimeProvider,
            ErrorPolicy = CreatePolicy(definition),
            UnknownErrorClass = definition.Errors.UnknownErrors,
        };

        var records = StartRecords(definition, options);
        foreach (var step in transforms)
        {
            records = step(records);
        }

        if (definition.Batch.Window is { } window)
        {
            records = records.Batch(definition.Batch.Size, window, new StageOptions { Name = "batch" });
        }

        var sinks = definition.Sinks.Select(sink => CreateSinkStep(definition, sink)).ToArray();
        if (sinks.Length == 1)
        {
            sinks[0](records); // builders of one pipeline share its state: any of them builds it
        }
        else
        {
            records = records.Broadcast(sinks);
        }

        try
        {
            return records.Build();
        }
        catch (PipelineConfigurationException exception) when (exception is not PipelineDefinitionException)
        {
            throw new PipelineDefinitionException([.. exception.Errors.Select(e => new ConfigurationError(ConfigurationErrorCode.Construction, definition.Path, definition.Scrub(e), definition.Location))]);
        }
    }

    /// <summary>
    /// Creates one connector from its definition: a
    /// <see cref="SourceConnector{T}"/> or <see cref="SinkConnector{T}"/> of <see cref="JsonRecord"/>s, or of byte payloads
    /// (<see cref="Record{TValue}"/> of <see cref="ReadOnlyMemory{T}"/>) for payload connector types.
    /// </summary>
    /// <param name="definition">The connector's definition.</param>
    /// <param name="pipelineName">The pipeline it is for, for names and errors.</param>
    /// <param name="secretValues">Values to scrub from error messages.</param>
    /// <returns>The connector, not opened.</returns>
    /// <exception cref="PipelineDefinitionException">The type is not registered, or its factory refused the settings.</exception>
    public Connector CreateConnector(ConnectorDefinition definition, string pipelineName = "", IReadOnlyCollection<string>? secretValues = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ObjectDisposedException.ThrowIf(_disposed, this);
        var pipeline = new PipelineDefinition { Name = pipelineName, Source = definition, Sinks = [definition], SecretValues = secretValues ?? [] };
        if (definition.Role == ConnectorRole.Source)
        {
            var registration = Registry.FindSource(definition.Type) ?? throw Unknown(definition, Registry.SourceTypes);
            var context = Context(pipeline, definition);
            return Guard(pipeline, definition.Path, definition.Location, () => registration.Records is { } records ? (Connector)records(context) : registration.Payloads!(context));
        }

        var sink = Registry.FindSink(definition.Type) ?? throw Unknown(definition, Registry.SinkTypes);
        var sinkContext = Context(pipeline, definition);
        return Guard(pipeline, definition.Path, definition.Location, () => sink.Records is { } records ? (Connector)records(sinkContext) : sink.Payloads!(sinkContext));
    }

    /// <summary>Gets the shared framework of a definition, creating it on first use (not started).</summary>
    /// <param name="definition">The framework's definition.</param>
    /// <returns>The framework.</returns>
    /// <exception cref="PipelineDefinitionException">The type is not registered, or its factory refused the settings.</exception>
    public IStreamFramework GetFramework(FrameworkDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var key = definition.Type + "\n" + definition.Settings.ToJson(revealSecrets: true);
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_frameworks.TryGetValue(key, out var existing))
            {
                return existing;
            }

            var registration = Registry.FindFramework(definition.Type)
                ?? throw new PipelineDefinitionException([new ConfigurationError(ConfigurationErrorCode.UnknownFramework, definition.Path, $"Unknown stream framework '{definition.Type}'; registered: {Suggestions.List(Registry.FrameworkTypes)}.", definition.Location)]);
            var context = new FrameworkContext(definition, new ConnectorSettings(definition.Settings, Options.BaseDirectory), Options.TimeProvider, Options.LoggerFactory);
            var framework = Guard(null, definition.Path, definition.Location, () => registration.Factory(context));
            _frameworks[key] = framework;
            return framework;
        }
    }

    /// <summary>Stops and disposes the frameworks this factory created. Stop the pipelines first.</summary>
    /// <returns>A task that completes once they are disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        List<IStreamFramework> frameworks;
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            frameworks = [.. _frameworks.Values];
            _frameworks.Clear();
        }

        foreach (var framework in frameworks)
        {
            await framework.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static PipelineDefinitionException Unknown(ConnectorDefinition definition, IReadOnlyList<string> known) =>
        new([new ConfigurationError(ConfigurationErrorCode.UnknownConnector, definition.Path, $"Unknown {Loading.Internal.DefinitionReader.RoleName(definition.Role)} type '{definition.Type}'{Suggestions.DidYouMean(definition.Type, known)}; registered: {Suggestions.List(known)}.", definition.Location)]);

    /// <summary>Runs a factory; what it throws becomes a <see cref="PipelineDefinitionException"/> at the connector's key, secrets scrubbed.</summary>
    private static T Guard<T>(PipelineDefinition? pipeline, string path, ConfigLocation location, Func<T> create)
    {
        try
        {
            return create();
        }
        catch (PipelineDefinitionException exception)
        {
            throw pipeline is null ? exception : new PipelineDefinitionException([.. exception.Errors.Select(e => e with { Message = pipeline.Scrub(e.Message) })]);
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException or IOException or UnauthorizedAccessException or NotSupportedException or SerializerConfigurationException or DataWeaverException)
        {
            var message = $"Cannot create it: {exception.Message}";
            throw new PipelineDefinitionException([new ConfigurationError(ConfigurationErrorCode.Construction, path, pipeline?.Scrub(message) ?? message, location)]);
        }
    }

    private ErrorPolicy CreatePolicy(PipelineDefinition definition)
    {
        var errors = definition.Errors;
        var builder = ErrorPolicy.Create();
        if (errors.Retry.Attempts > 1)
        {
            builder.Retry(errors.Retry.Attempts, errors.Retry.Backoff, errors.Retry.MaxBackoff);
        }

        if (errors.Retry.Timeout is { } timeout)
        {
            builder.Timeout(timeout);
        }

        if (errors.CircuitBreaker is { } breaker)
        {
            builder.CircuitBreaker(breaker.FailureRatio, breaker.MinimumThroughput, breaker.SamplingDuration, breaker.BreakDuration);
        }

        switch (errors.OnFailure)
        {
            case ErrorAction.Skip:
                builder.Skip();
                break;
            case ErrorAction.DeadLetter when errors.DeadLetter is { } target:
                builder.DeadLetterTo(CreateDeadLetterSink(definition, target));
                break;
            default:
                builder.Fail();
                break;
        }

        return builder.Build();
    }

    private SinkConnector<DeadLetter> CreateDeadLetterSink(PipelineDefinition definition, ConnectorDefinition target)
    {
        var registration = Registry.FindSink(target.Type) ?? throw Unknown(target, Registry.SinkTypes);
        var context = Context(definition, target);
        return Guard<SinkConnector<DeadLetter>>(definition, target.Path, target.Location, () => registration.Records is { } records
            ? new DeadLetterSink<JsonRecord>(records(context), static r => r)
            : new DeadLetterSink<Record<ReadOnlyMemory<byte>>>(registration.Payloads!(context), DeadLetterPayloads.ToPayload));
    }

    private PipelineBuilder<JsonRecord> StartRecords(PipelineDefinition definition, PipelineOptions options)
    {
        var registration = Registry.FindSource(definition.Source.Type) ?? throw Unknown(definition.Source, Registry.SourceTypes);
        var context = Context(definition, definition.Source);
        var parallelism = definition.Parallelism;
        var parallel = parallelism.Degree > 1 && parallelism.Ordering != StageOrdering.KeyOrdered;
        var stage = new StageOptions { Name = "transforms" };
        PipelineBuilder<JsonRecord> records;
        if (definition.Sources.Count > 0 || registration.Records is not null)
        {
            records = Pipeline.From(definition.Sources.Count > 0
                ? MergedSources.Create(definition, (source, field) => CreateRecordSource(definition, source, field))
                : Guard(definition, definition.Source.Path, definition.Source.Location, () => registration.Records!(context)), options);
            if (parallel)
            {
                records = records.Parallel(parallelism.Degree, parallelism.Ordering, stage);
            }
        }
        else
        {
            var source = Guard(definition, definition.Source.Path, definition.Source.Location, () => registration.Payloads!(context));
            var payloads = Pipeline.From(source, options);
            if (parallel)
            {
                payloads = payloads.Parallel(parallelism.Degree, parallelism.Ordering, stage);
            }

            var format = context.Format;
            if (definition.Source.Metadata)
            {
                var topic = (source as StreamSource)?.Topic;
                records = payloads.Map(r => MessageMetadata.Attach(format.Decode(r.Value), r, topic), $"decode:{format.Name}+{MessageMetadata.Field}");
            }
            else
            {
                records = payloads.Map(r => format.Decode(r.Value), "decode:" + format.Name);
            }
        }

        if (parallelism.Ordering == StageOrdering.KeyOrdered && parallelism.Key is { } key)
        {
            var path = JsonFieldPath.Parse(key);
            records = records.ParallelByKey(parallelism.Degree, r => r.TryGetField(path, out var f) ? FieldValues.Text(f) : string.Empty, stage);
        }

        return records;
    }

    /// <summary>Creates one source of records (one of merged <c>sources</c>).</summary>
    private SourceConnector<JsonRecord> CreateRecordSource(PipelineDefinition definition, ConnectorDefinition source, string? field)
    {
        var registration = Registry.FindSource(source.Type) ?? throw Unknown(source, Registry.SourceTypes);
        var context = Context(definition, source);
        var create = registration.Records
            ?? throw new PipelineDefinitionException([new ConfigurationError(ConfigurationErrorCode.Conflict, source.Path, $"Merged 'sources' must be sources of records; '{source.Type}' reads messages.", source.Location)]);
        var connector = Guard(definition, source.Path, source.Location, () => create(context));
        return field is null ? connector : new TaggedSource(connector, field, source.Name);
    }

    private Action<PipelineBuilder<JsonRecord>> CreateSinkStep(PipelineDefinition definition, ConnectorDefinition sink)
    {
        var registration = Registry.FindSink(sink.Type) ?? throw Unknown(sink, Registry.SinkTypes);
        var context = Context(definition, sink);
        var metadata = definition.Source.Metadata;
        if (registration.Records is { } create)
        {
            var connector = Guard(definition, sink.Path, sink.Location, () => create(context));
            return metadata
                ? b => b.Map(static r => MessageMetadata.Drop(r), $"drop:{MessageMetadata.Field}->{sink.Name}").To(connector, new StageOptions { Name = sink.Name })
                : b => b.To(connector, new StageOptions { Name = sink.Name });
        }

        var payloads = Guard(definition, sink.Path, sink.Location, () => registration.Payloads!(context));
        var format = context.Format;
        var envelope = Guard(definition, sink.Path, sink.Location, () => MessageEnvelope.Create(sink));
        var encode = $"encode:{format.Name}->{sink.Name}";
        return (envelope, metadata) switch
        {
            (null, false) => b => b.Map(r => PayloadRecords.Create(ReadOnlyMemory<byte>.Empty, format.Encode(r)), encode).To(payloads, new StageOptions { Name = sink.Name }),
            (null, true) => b => b.Map(r => PayloadRecords.Create(ReadOnlyMemory<byte>.Empty, format.Encode(MessageMetadata.Drop(r))), encode).To(payloads, new StageOptions { Name = sink.Name }),
            (_, false) => b => b.Map(r => envelope.Wrap(r, format.Encode(r)), encode).To(payloads, new StageOptions { Name = sink.Name }),
            _ => b => b.Map(r => envelope.Wrap(r, format.Encode(MessageMetadata.Drop(r))), encode).To(payloads, new StageOptions { Name = sink.Name }),
        };
    }

    private ConnectorContext Context(PipelineDefinition pipeline, ConnectorDefinition connector)
    {
        var format = Guard(pipeline, connector.Path, connector.Location, () => ResolveFormat(connector.Format));
        return new ConnectorContext(
            pipeline.Name,
            connector,
            new ConnectorSettings(connector.Settings, Options.BaseDirectory),
            format,
            () => GetFramework(pipeline.Framework),
            Options.TimeProvider,
            pipeline.SecretValues,
            Options.LoggerFactory);
    }

    private JsonRecordFormat ResolveFormat(FormatDefinition format)
    {
        if (Registry.FindFormat(format.Name) is { } registration)
        {
            return registration.Factory(new ConnectorSettings(format.Settings, Options.BaseDirectory));
        }

        var request = new ConnectorSettings(format.Settings, Options.BaseDirectory).ToFlatDictionary();
        var serializers = Registry.Serializers;
        IRecordSerializer<JsonRecord>? serializer = null;
        IRecordDeserializer<JsonRecord>? deserializer = null;
        try
        {
            serializer = serializers.CreateSerializer<JsonRecord>(format.Name, request);
        }
        catch (SerializerConfigurationException)
        {
            // read-only for records; the deserializer may still exist
        }

        try
        {
            deserializer = serializers.CreateDeserializer<JsonRecord>(format.Name, request);
        }
        catch (SerializerConfigurationException) when (serializer is not null)
        {
            // write-only for records
        }

        return new JsonRecordFormat(format.Name, serializer, deserializer);
    }
}
