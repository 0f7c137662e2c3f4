using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

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

    /// <summary>Gets where the connectors and frameworks created log their diagnostics (<see cref="ConnectorContext.LoggerFactory"/>, <see cref="FrameworkContext.LoggerFactory"/>).</summary>
    /// <value>The default is <see cref="NullLoggerFactory.Instance"/>: nothing is logged.</value>
    public ILoggerFactory LoggerFactory { get; init; } = NullLoggerFactory.Instance;
}
