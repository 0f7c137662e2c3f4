using DataWeaver.Lifecycle;

namespace DataWeaver.Configuration;

/// <summary>Options of a <see cref="PipelineManager"/>. Immutable.</summary>
public sealed record PipelineManagerOptions
{
    /// <summary>Gets the connector types, frameworks, formats and code transforms the manager's pipelines may use.</summary>
    /// <value>The default is <see langword="null"/>: <see cref="ConnectorRegistry.CreateDefault"/>.</value>
    public ConnectorRegistry? Registry { get; init; }

    /// <summary>Gets the options of the manager's <see cref="PipelineFactory"/> (base directory of relative paths, clock).</summary>
    /// <value>The default is <see langword="null"/>: the defaults.</value>
    public PipelineFactoryOptions? Factory { get; init; }

    /// <summary>Gets where <c>${NAME}</c> references of loaded files are looked up.</summary>
    /// <value>The default is <see langword="null"/>: the process's environment variables.</value>
    public Func<string, string?>? Environment { get; init; }

    /// <summary>Gets how long <see cref="PipelineManager.DisposeAsync"/> lets running pipelines drain before aborting them.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan StopTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets how each managed pipeline lives: its restart policy after failures and its drain timeout
    /// (see <see cref="PipelineHostOptions"/>). Its clock, when not set, is the factory's.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no restart, drains without a timeout.</value>
    public PipelineHostOptions? Lifecycle { get; init; }
}
