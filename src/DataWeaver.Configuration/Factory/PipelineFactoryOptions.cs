namespace DataWeaver.Configuration;

/// <summary>Options of a <see cref="PipelineFactory"/>. Immutable.</summary>
public sealed record PipelineFactoryOptions
{
    /// <summary>Gets the folder relative paths in connector settings resolve against.</summary>
    /// <value>The default is <see langword="null"/>: the current directory when the pipeline is created.</value>
    public string? BaseDirectory { get; init; }

    /// <summary>Gets the clock of the pipelines, connectors and frameworks created.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>
    /// Gets the loggers connectors and stream frameworks write to (<see cref="ConnectorContext.LoggerFactory"/>,
    /// <see cref="FrameworkContext.LoggerFactory"/>): for example the Kafka framework's librdkafka log lines.
    /// </summary>
    /// <value>The default is <see cref="Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance"/>: nothing is logged.</value>
    public Microsoft.Extensions.Logging.ILoggerFactory LoggerFactory { get; init; } = Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance;
}
