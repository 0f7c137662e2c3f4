using DataWeaver.Streams;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace DataWeaver.Configuration;

/// <summary>
/// What a connector factory gets when a pipeline is created from a definition: the connector's definition, its
/// settings and format, the pipeline's stream framework and clock. Factories construct; they MUST NOT connect (the
/// pipeline opens its connectors when it starts).
/// </summary>
public sealed class ConnectorContext
{
    private readonly Func<IStreamFramework> _framework;

    internal ConnectorContext(string pipelineName, ConnectorDefinition definition, ConnectorSettings settings, JsonRecordFormat format, Func<IStreamFramework> framework, TimeProvider timeProvider, IReadOnlyCollection<string> secretValues, ILoggerFactory? loggerFactory = null)
    {
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        PipelineName = pipelineName;
        Definition = definition;
        Settings = settings;
        Format = format;
        _framework = framework;
        TimeProvider = timeProvider;
        SecretValues = secretValues;
    }

    /// <summary>Gets the name of the pipeline the connector is for.</summary>
    public string PipelineName { get; }

    /// <summary>Gets the connector's definition.</summary>
    public ConnectorDefinition Definition { get; }

    /// <summary>Gets the connector's name: give it to the connector, so graphs and errors name it as the file does.</summary>
    public string Name => Definition.Name;

    /// <summary>Gets the connector type.</summary>
    public string TypeName => Definition.Type;

    /// <summary>Gets what the connector is for.</summary>
    public ConnectorRole Role => Definition.Role;

    /// <summary>Gets the connector's settings.</summary>
    public ConnectorSettings Settings { get; }

    /// <summary>Gets the connector's format (<c>json</c> unless the file says otherwise).</summary>
    public JsonRecordFormat Format { get; }

    /// <summary>
    /// Gets the pipeline's stream framework (created on first use, shared by every pipeline with an equal framework
    /// definition, not started: a connector starts it when it opens, <see cref="IStreamFramework.StartAsync"/> being idempotent).
    /// </summary>
    public IStreamFramework Framework => _framework();

    /// <summary>Gets the clock connectors should use.</summary>
    /// <value>The factory's <see cref="PipelineFactoryOptions.TimeProvider"/>.</value>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets where the connector logs its diagnostics (notices, client library lines); scrub secrets (<see cref="SecretValues"/>) from what it logs.</summary>
    /// <value>The factory's <see cref="PipelineFactoryOptions.LoggerFactory"/>; nothing is logged by default.</value>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Gets the secret values of the definition file, to scrub by value what the connector reports.</summary>
    public IReadOnlyCollection<string> SecretValues { get; }
}

/// <summary>What a stream framework factory gets: the framework's definition and settings.</summary>
public sealed class FrameworkContext
{
    internal FrameworkContext(FrameworkDefinition definition, ConnectorSettings settings, TimeProvider timeProvider, ILoggerFactory? loggerFactory = null)
    {
        LoggerFactory = loggerFactory ?? NullLoggerFactory.Instance;
        Definition = definition;
        Settings = settings;
        TimeProvider = timeProvider;
    }

    /// <summary>Gets the framework's definition.</summary>
    public FrameworkDefinition Definition { get; }

    /// <summary>Gets the framework type.</summary>
    public string TypeName => Definition.Type;

    /// <summary>Gets the framework's settings (e.g. Kafka's bootstrap servers and security settings).</summary>
    public ConnectorSettings Settings { get; }

    /// <summary>Gets the secret values among the framework's settings, for a client library's log scrubbing.</summary>
    public IReadOnlyCollection<string> SecretValues => [.. Secrets(Settings.Value).Distinct(StringComparer.Ordinal)];

    /// <summary>Gets the clock the framework should use.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Gets where the framework logs its diagnostics (e.g. Kafka's client library lines, scrubbed of <see cref="SecretValues"/>).</summary>
    /// <value>The factory's <see cref="PipelineFactoryOptions.LoggerFactory"/>; nothing is logged by default.</value>
    public ILoggerFactory LoggerFactory { get; }

    private static IEnumerable<string> Secrets(ConfigValue value) =>
        value.IsSecret && value.Text is { Length: > 0 } text
            ? [text]
            : value.Items.Concat(value.Properties.Select(p => p.Value)).SelectMany(Secrets);
}

/// <summary>What a code transform factory gets: the transform's settings and the pipeline it is for.</summary>
public sealed class TransformContext
{
    internal TransformContext(string pipelineName, string name, ConnectorSettings settings, TimeProvider timeProvider)
    {
        PipelineName = pipelineName;
        Name = name;
        Settings = settings;
        TimeProvider = timeProvider;
    }

    /// <summary>Gets the name of the pipeline the transform is for.</summary>
    public string PipelineName { get; }

    /// <summary>Gets the name the transform was registered under.</summary>
    public string Name { get; }

    /// <summary>Gets the transform's settings (<c>code: { name: ..., settings: {...} }</c>).</summary>
    public ConnectorSettings Settings { get; }

    /// <summary>Gets the clock the transform should use.</summary>
    public TimeProvider TimeProvider { get; }
}
