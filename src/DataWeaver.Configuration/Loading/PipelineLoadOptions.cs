namespace DataWeaver.Configuration;

/// <summary>Options of <c>PipelineDefinitionLoader</c> (DataWeaver.Configuration.Yaml). Immutable.</summary>
public sealed record PipelineLoadOptions
{
    /// <summary>Gets the registry that names the connector types, frameworks, formats and code transforms files may use.</summary>
    /// <value>The default is <see langword="null"/>: a registry of the built-ins (<see cref="ConnectorRegistry.CreateDefault"/>).</value>
    public ConnectorRegistry? Registry { get; init; }

    /// <summary>Gets where <c>${NAME}</c> references are looked up: returns the value, or <see langword="null"/> when unset.</summary>
    /// <value>The default is <see langword="null"/>: the process's environment variables.</value>
    public Func<string, string?>? Environment { get; init; }

    /// <summary>Gets the folder relative paths resolve against when output files are compared (two sinks writing one file).</summary>
    /// <value>The default is <see langword="null"/>: the current directory.</value>
    public string? BaseDirectory { get; init; }

    /// <summary>Gets the file's format.</summary>
    /// <value>The default is <see langword="null"/>: from the extension (<c>.json</c> is JSON, <c>.yaml</c> and <c>.yml</c> are YAML), else JSON when the text starts with <c>{</c>, else YAML.</value>
    public PipelineFileFormat? Format { get; init; }
}
