using System.Diagnostics.CodeAnalysis;
using DataWeaver.Configuration.Internal;

namespace DataWeaver.Configuration;

/// <summary>The format of a pipeline definition file.</summary>
public enum PipelineFileFormat
{
    /// <summary>YAML (<c>.yaml</c>, <c>.yml</c>).</summary>
    Yaml,

    /// <summary>JSON (<c>.json</c>); comments and trailing commas are accepted.</summary>
    Json,
}

/// <summary>
/// A validated pipeline definition file: its pipelines and its secret values. Made by <c>PipelineDefinitionLoader</c> (DataWeaver.Configuration.Yaml).
/// Immutable; <see cref="ToString"/> shows secrets as <c>***</c>.
/// </summary>
public sealed record PipelineFileDefinition
{
    /// <summary>Gets the file name or path, as given to the loader.</summary>
    public string? FileName { get; init; }

    /// <summary>Gets the format the file was read in.</summary>
    public PipelineFileFormat Format { get; init; }

    /// <summary>Gets the file format version.</summary>
    /// <value>Always 1.</value>
    public int Version { get; init; } = 1;

    /// <summary>Gets the pipelines, in file order.</summary>
    public required IReadOnlyList<PipelineDefinition> Pipelines { get; init; }

    /// <summary>Gets every secret value of the file (see <see cref="PipelineDefinition.SecretValues"/>).</summary>
    /// <value>The default is none.</value>
    public IReadOnlyCollection<string> SecretValues { get; init; } = ValueList<string>.Empty;

    /// <summary>Gets a pipeline by name.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <returns>The pipeline.</returns>
    /// <exception cref="KeyNotFoundException">The file has no pipeline of that name.</exception>
    public PipelineDefinition this[string name] => TryGetPipeline(name, out var pipeline)
        ? pipeline
        : throw new KeyNotFoundException($"The file has no pipeline named '{name}'; it has: {string.Join(", ", Pipelines.Select(p => p.Name))}.");

    /// <summary>Finds a pipeline by name.</summary>
    /// <param name="name">The pipeline's name.</param>
    /// <param name="pipeline">The pipeline, when found.</param>
    /// <returns><see langword="true"/> when the file has a pipeline of that name.</returns>
    public bool TryGetPipeline(string name, [NotNullWhen(true)] out PipelineDefinition? pipeline)
    {
        pipeline = Pipelines.FirstOrDefault(p => p.Name == name);
        return pipeline is not null;
    }

    /// <summary>Replaces every secret value of the file in <paramref name="text"/> with <c>***</c>.</summary>
    /// <param name="text">Any text: a log line, an exception message.</param>
    /// <returns>The text without secrets.</returns>
    public string Scrub(string text) => SecretScrubber.Scrub(text, SecretValues);
}
