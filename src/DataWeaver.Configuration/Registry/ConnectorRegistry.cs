using DataWeaver.Connectors;
using DataWeaver.Records;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;
using DataWeaver.Streams;

namespace DataWeaver.Configuration;

/// <summary>
/// The connector registry: connector types by name, each with a factory (and optionally a descriptor of its
/// settings), plus stream frameworks, formats and C# transforms by name. Pipeline definition files name what is
/// registered here; other assemblies add theirs (Kafka registers <c>kafka</c> this way). Type names are compared
/// ignoring case. Thread-safe; register before loading the files that use a type.
/// </summary>
/// <remarks>
/// Sources and sinks come in two shapes: of <see cref="JsonRecord"/>s (<see cref="RegisterSource"/>,
/// <see cref="RegisterSink"/>), or of byte payloads (<see cref="RegisterPayloadSource"/>,
/// <see cref="RegisterPayloadSink"/>), which the pipeline decodes and encodes with the connector's <c>format</c>.
/// </remarks>
public sealed class ConnectorRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, SourceRegistration> _sources = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, SinkRegistration> _sinks = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Registration<Func<FrameworkContext, IStreamFramework>>> _frameworks = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Registration<Func<TransformContext, Func<JsonRecord, JsonRecord?>>>> _transforms = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Registration<Func<TransformContext, Func<JsonRecord, CancellationToken, ValueTask<JsonRecord?>>>>> _enrichments = new(StringComparer.OrdinalIgnoreCase);
    private readonly Dictionary<string, Registration<Func<ConnectorSettings, JsonRecordFormat>>> _formats = new(StringComparer.OrdinalIgnoreCase);
    private SerializerRegistry _serializers = SerializerRegistry.Default;

    /// <summary>
    /// Creates a registry holding the built-in connectors, the in-process framework and the <c>json</c>, <c>text</c>,
    /// <c>string</c> and <c>raw</c> formats: sources <c>generator</c>, <c>memory</c>, <c>file</c>, <c>json-lines-file</c>
    /// and <c>stream</c>; sinks <c>file</c>, <c>json-lines-file</c>, <c>console</c>, <c>stream</c> and <c>discard</c>.
    /// </summary>
    /// <returns>The registry.</returns>
    /// <remarks>
    /// Each built-in registers from its own folder with one call, so a registry can also be assembled from
    /// <c>new ConnectorRegistry()</c> with only what is wanted: <see cref="MessageFormatRegistryExtensions.AddMessageFormats"/>,
    /// <see cref="StreamConnectorRegistryExtensions.AddStreams"/>, <see cref="GeneratorConnectorRegistryExtensions.AddGenerator"/>,
    /// <see cref="MemoryConnectorRegistryExtensions.AddMemory"/>, <see cref="FileConnectorRegistryExtensions.AddFile"/>,
    /// <see cref="JsonLinesConnectorRegistryExtensions.AddJsonLinesFile"/>, <see cref="ConsoleConnectorRegistryExtensions.AddConsole"/>
    /// and <see cref="DiscardConnectorRegistryExtensions.AddDiscard"/>. Connector packages add theirs the same way
    /// (<c>AddKafka()</c>, <c>AddCsv()</c>, <c>AddAvro()</c>, <c>AddProtobuf()</c>).
    /// </remarks>
    public static ConnectorRegistry CreateDefault() => new ConnectorRegistry()
        .AddMessageFormats()
        .AddStreams()
        .AddGenerator()
        .AddMemory()
        .AddFile()
        .AddJsonLinesFile()
        .AddConsole()
        .AddDiscard();

    /// <summary>Gets the registered source types, sorted.</summary>
    public IReadOnlyList<string> SourceTypes => Names(_sources);

    /// <summary>Gets the registered sink types (which are also the dead-letter target types), sorted.</summary>
    public IReadOnlyList<string> SinkTypes => Names(_sinks);

    /// <summary>Gets the registered stream framework types, sorted.</summary>
    public IReadOnlyList<string> FrameworkTypes => Names(_frameworks);

    /// <summary>Gets the registered code transform names, sorted.</summary>
    public IReadOnlyList<string> TransformNames => Names(_transforms);

    /// <summary>Gets the formats: those registered here and those of <see cref="Serializers"/>, sorted.</summary>
    public IReadOnlyList<string> FormatNames
    {
        get
        {
            lock (_lock)
            {
                return [.. _formats.Keys.Union(_serializers.Formats, StringComparer.OrdinalIgnoreCase).Order(StringComparer.OrdinalIgnoreCase)];
            }
        }
    }

    /// <summary>Gets the serializer registry consulted for formats not registered here.</summary>
    /// <value>The default is <see cref="SerializerRegistry.Default"/>.</value>
    public SerializerRegistry Serializers
    {
        get
        {
            lock (_lock)
            {
                return _serializers;
            }
        }
    }

    /// <summary>Uses another serializer registry for formats not registered here (one with Avro or Protobuf formats that handle <see cref="JsonRecord"/>).</summary>
    /// <param name="serializers">The serializer registry.</param>
    /// <returns>This registry.</returns>
    public ConnectorRegistry UseSerializers(SerializerRegistry serializers)
    {
        ArgumentNullException.ThrowIfNull(serializers);
        lock (_lock)
        {
            _serializers = serializers;
        }

        return this;
    }

    /// <summary>Registers a source type whose connectors read <see cref="JsonRecord"/>s.</summary>
    /// <param name="typeName">The type name files use (<c>source: { type: NAME }</c>): letters, digits, '.', '_', '-'.</param>
    /// <param name="factory">Creates a connector from its context; called once per pipeline created, never for invalid files. MUST NOT connect.</param>
    /// <param name="descriptor">The settings the connector accepts, checked when files are loaded; <see langword="null"/> accepts any.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered as a source.</exception>
    public ConnectorRegistry RegisterSource(string typeName, Func<ConnectorContext, SourceConnector<JsonRecord>> factory, ConnectorDescriptor? descriptor = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Add(_sources, typeName, new SourceRegistration(typeName, factory, null, descriptor), "source");
    }

    /// <summary>Registers a source type whose connectors read byte payloads (file lines, stream messages), decoded with the connector's format.</summary>
    /// <param name="typeName">The type name files use.</param>
    /// <param name="factory">Creates a connector from its context. MUST NOT connect.</param>
    /// <param name="descriptor">The settings the connector accepts; <see langword="null"/> accepts any.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered as a source.</exception>
    public ConnectorRegistry RegisterPayloadSource(string typeName, Func<ConnectorContext, SourceConnector<Record<ReadOnlyMemory<byte>>>> factory, ConnectorDescriptor? descriptor = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Add(_sources, typeName, new SourceRegistration(typeName, null, factory, descriptor), "source");
    }

    /// <summary>Registers a sink type whose connectors write <see cref="JsonRecord"/>s (they may encode with <see cref="ConnectorContext.Format"/>).</summary>
    /// <param name="typeName">The type name files use (<c>sinks: [{ type: NAME }]</c>, <c>deadLetter: { type: NAME }</c>).</param>
    /// <param name="factory">Creates a connector from its context. MUST NOT connect.</param>
    /// <param name="descriptor">The settings the connector accepts; <see langword="null"/> accepts any.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered as a sink.</exception>
    public ConnectorRegistry RegisterSink(string typeName, Func<ConnectorContext, SinkConnector<JsonRecord>> factory, ConnectorDescriptor? descriptor = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Add(_sinks, typeName, new SinkRegistration(typeName, factory, null, descriptor), "sink");
    }

    /// <summary>Registers a sink type whose connectors write byte payloads (stream messages), encoded with the connector's format and keyed by its <c>key</c> field.</summary>
    /// <param name="typeName">The type name files use.</param>
    /// <param name="factory">Creates a connector from its context. MUST NOT connect.</param>
    /// <param name="descriptor">The settings the connector accepts; <see langword="null"/> accepts any.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered as a sink.</exception>
    public ConnectorRegistry RegisterPayloadSink(string typeName, Func<ConnectorContext, SinkConnector<Record<ReadOnlyMemory<byte>>>> factory, ConnectorDescriptor? descriptor = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Add(_sinks, typeName, new SinkRegistration(typeName, null, factory, descriptor), "sink");
    }

    /// <summary>
    /// Registers a stream framework type (<c>framework: { type: NAME, settings: {...} }</c>), e.g. <c>kafka</c> from the
    /// Kafka assembly. One instance is created per distinct definition and shared by the pipelines that use it.
    /// </summary>
    /// <param name="typeName">The type name files use.</param>
    /// <param name="factory">Creates the framework, not started. MUST NOT connect.</param>
    /// <param name="descriptor">The settings the framework accepts; <see langword="null"/> accepts any.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public ConnectorRegistry RegisterFramework(string typeName, Func<FrameworkContext, IStreamFramework> factory, ConnectorDescriptor? descriptor = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Add(_frameworks, typeName, new Registration<Func<FrameworkContext, IStreamFramework>>(typeName, factory, descriptor), "framework");
    }

    /// <summary>
    /// Registers a C# transform by name (<c>- code: { name: NAME }</c>): it returns the new record, or <see langword="null"/>
    /// to drop the record. It runs fused with its neighbours and MUST be thread-safe when the pipeline is parallel. An
    /// exception it throws goes to the pipeline's error policy (a <see cref="Errors.DataWeaverException"/> carries its class).
    /// </summary>
    /// <param name="name">The name files use.</param>
    /// <param name="transform">The transform.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public ConnectorRegistry RegisterTransform(string name, Func<JsonRecord, JsonRecord?> transform)
    {
        ArgumentNullException.ThrowIfNull(transform);
        return RegisterTransformFactory(name, _ => transform, ConnectorDescriptor.NoSettings);
    }

    /// <summary>Registers a C# transform made from its settings (<c>- code: { name: NAME, settings: {...} }</c>); see <see cref="RegisterTransform"/>.</summary>
    /// <param name="name">The name files use.</param>
    /// <param name="factory">Makes the transform from its context; called once per pipeline created.</param>
    /// <param name="descriptor">The settings the transform accepts; <see langword="null"/> accepts any.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public ConnectorRegistry RegisterTransformFactory(string name, Func<TransformContext, Func<JsonRecord, JsonRecord?>> factory, ConnectorDescriptor? descriptor = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Add(_transforms, name, new Registration<Func<TransformContext, Func<JsonRecord, JsonRecord?>>>(name, factory, descriptor), "transform");
    }

    /// <summary>
    /// Registers an asynchronous enrichment by name (<c>- enrich: { NAME: { settings... }, concurrency: 64, ordered: true }</c>),
    /// e.g. <c>http</c> from DataWeaver.Http: a call per record (to a service, a database) returning the enriched record, or
    /// <see langword="null"/> to drop it. The pipeline runs it with bounded concurrency (the builder's <c>MapAsync</c>), in
    /// input order unless <c>ordered: false</c>. It MUST be thread-safe and honour its cancellation token; an exception it
    /// throws goes to the pipeline's error policy (a <see cref="Errors.DataWeaverException"/> carries its class: transient
    /// errors are retried, data errors dead-lettered).
    /// </summary>
    /// <param name="name">The key under <c>enrich</c> files use.</param>
    /// <param name="factory">Makes the call from its context (its settings are the mapping under the key); called once per pipeline created.</param>
    /// <param name="descriptor">The settings the enrichment accepts; <see langword="null"/> accepts any.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public ConnectorRegistry RegisterAsyncEnrichment(string name, Func<TransformContext, Func<JsonRecord, CancellationToken, ValueTask<JsonRecord?>>> factory, ConnectorDescriptor? descriptor = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Add(_enrichments, name, new Registration<Func<TransformContext, Func<JsonRecord, CancellationToken, ValueTask<JsonRecord?>>>>(name, factory, descriptor), "enrichment");
    }

    /// <summary>Registers a format by name (<c>format: NAME</c> or <c>format: { type: NAME, settings: {...} }</c>); it takes precedence over <see cref="Serializers"/>.</summary>
    /// <param name="name">The name files use.</param>
    /// <param name="factory">Makes the format from its settings.</param>
    /// <param name="descriptor">The settings the format accepts; <see langword="null"/> accepts any.</param>
    /// <returns>This registry.</returns>
    /// <exception cref="ArgumentException">The name is invalid or already registered.</exception>
    public ConnectorRegistry RegisterFormat(string name, Func<ConnectorSettings, JsonRecordFormat> factory, ConnectorDescriptor? descriptor = null)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return Add(_formats, name, new Registration<Func<ConnectorSettings, JsonRecordFormat>>(name, factory, descriptor), "format");
    }

    /// <summary>Gets what a registered source type accepts, for documentation and tools (<c>dataweaver list</c>).</summary>
    /// <param name="typeName">The source type.</param>
    /// <returns>Its descriptor; <see langword="null"/> when the type is unknown or was registered without one.</returns>
    public ConnectorDescriptor? GetSourceDescriptor(string typeName) => FindSource(typeName)?.Descriptor;

    /// <summary>Gets what a registered sink type accepts, for documentation and tools.</summary>
    /// <param name="typeName">The sink type.</param>
    /// <returns>Its descriptor; <see langword="null"/> when the type is unknown or was registered without one.</returns>
    public ConnectorDescriptor? GetSinkDescriptor(string typeName) => FindSink(typeName)?.Descriptor;

    /// <summary>Gets what a registered stream framework type accepts, for documentation and tools.</summary>
    /// <param name="typeName">The framework type.</param>
    /// <returns>Its descriptor; <see langword="null"/> when the type is unknown or was registered without one.</returns>
    public ConnectorDescriptor? GetFrameworkDescriptor(string typeName) => FindFramework(typeName)?.Descriptor;

    /// <summary>Gets what a registered code transform accepts, for documentation and tools.</summary>
    /// <param name="name">The transform's name.</param>
    /// <returns>Its descriptor; <see langword="null"/> when the name is unknown or was registered without one.</returns>
    public ConnectorDescriptor? GetTransformDescriptor(string name) => FindTransform(name)?.Descriptor;

    /// <summary>Gets what a registered format accepts, for documentation and tools.</summary>
    /// <param name="name">The format's name.</param>
    /// <returns>Its descriptor; <see langword="null"/> when the name is unknown, built in without settings, or registered without one.</returns>
    public ConnectorDescriptor? GetFormatDescriptor(string name) => FindFormat(name)?.Descriptor;

    internal SourceRegistration? FindSource(string type) => Find(_sources, type);

    internal SinkRegistration? FindSink(string type) => Find(_sinks, type);

    internal Registration<Func<FrameworkContext, IStreamFramework>>? FindFramework(string type) => Find(_frameworks, type);

    internal Registration<Func<TransformContext, Func<JsonRecord, JsonRecord?>>>? FindTransform(string name) => Find(_transforms, name);

    internal Registration<Func<TransformContext, Func<JsonRecord, CancellationToken, ValueTask<JsonRecord?>>>>? FindAsyncEnrichment(string name) => Find(_enrichments, name);

    internal Registration<Func<ConnectorSettings, JsonRecordFormat>>? FindFormat(string name) => Find(_formats, name);

    private static void ValidateName(string name, string kind)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (!char.IsAsciiLetter(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
        {
            throw new ArgumentException($"The {kind} name '{name}' is invalid: use ASCII letters, digits, '.', '_' and '-', starting with a letter.", nameof(name));
        }
    }

    private IReadOnlyList<string> Names<T>(Dictionary<string, T> map)
    {
        lock (_lock)
        {
            return [.. map.Keys.Order(StringComparer.OrdinalIgnoreCase)];
        }
    }

    private T? Find<T>(Dictionary<string, T> map, string name)
        where T : class
    {
        lock (_lock)
        {
            return map.GetValueOrDefault(name);
        }
    }

    private ConnectorRegistry Add<T>(Dictionary<string, T> map, string name, T registration, string kind)
    {
        ValidateName(name, kind);
        lock (_lock)
        {
            if (!map.TryAdd(name, registration))
            {
                throw new ArgumentException($"A {kind} named '{name}' is already registered.", nameof(name));
            }
        }

        return this;
    }
}

/// <summary>A registered name, its factory and descriptor.</summary>
internal record Registration<TFactory>(string Name, TFactory Factory, ConnectorDescriptor? Descriptor);

/// <summary>A source type: exactly one of the factories is set.</summary>
internal sealed record SourceRegistration(
    string Name,
    Func<ConnectorContext, SourceConnector<JsonRecord>>? Records,
    Func<ConnectorContext, SourceConnector<Record<ReadOnlyMemory<byte>>>>? Payloads,
    ConnectorDescriptor? Descriptor);

/// <summary>A sink type: exactly one of the factories is set.</summary>
internal sealed record SinkRegistration(
    string Name,
    Func<ConnectorContext, SinkConnector<JsonRecord>>? Records,
    Func<ConnectorContext, SinkConnector<Record<ReadOnlyMemory<byte>>>>? Payloads,
    ConnectorDescriptor? Descriptor);
