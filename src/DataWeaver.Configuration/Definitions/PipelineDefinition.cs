using DataWeaver.Configuration.Internal;

namespace DataWeaver.Configuration;

/// <summary>
/// One pipeline of a definition file, validated: its framework, source, transforms, sinks and options. Immutable;
/// equality compares content and ignores <see cref="Location"/>, so a file read as YAML equals the same file read as
/// JSON. <see cref="ToString"/> shows secrets as <c>***</c>. Build it into an engine pipeline with
/// <see cref="PipelineFactory"/>, or run it with a <see cref="PipelineManager"/>.
/// </summary>
public sealed record PipelineDefinition
{
    /// <summary>Gets the pipeline's name, unique within its file.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the pipeline's description.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Description { get; init; }

    /// <summary>Gets the stream framework of the pipeline's <c>stream</c> connectors.</summary>
    /// <value>The default is the file's framework, else <see cref="FrameworkDefinition.InProcess"/>.</value>
    public FrameworkDefinition Framework { get; init; } = FrameworkDefinition.InProcess;

    /// <summary>Gets the source: the pipeline's one <c>source</c>, or the first of <see cref="Sources"/>.</summary>
    public required ConnectorDefinition Source { get; init; }

    /// <summary>
    /// Gets the merged sources (fan-in) of a pipeline written with <c>sources:</c>: read concurrently as one, each with its
    /// own positions and commits (a file source its own checkpoint). Each has a name, unique in the pipeline.
    /// </summary>
    /// <value>The default is none: the pipeline reads <see cref="Source"/> alone.</value>
    public IReadOnlyList<ConnectorDefinition> Sources { get; init; } = ValueList<ConnectorDefinition>.Empty;

    /// <summary>Gets the field each record of merged <see cref="Sources"/> gains, holding its source's name.</summary>
    /// <value>The default is <see langword="null"/>: records are not tagged.</value>
    public string? SourceField { get; init; }

    /// <summary>Gets the transforms, in the order they apply.</summary>
    /// <value>The default is none.</value>
    public IReadOnlyList<TransformDefinition> Transforms { get; init; } = ValueList<TransformDefinition>.Empty;

    /// <summary>Gets the parallelism of the transforms.</summary>
    public ParallelismDefinition Parallelism { get; init; } = new();

    /// <summary>Gets the batching.</summary>
    public BatchDefinition Batch { get; init; } = new();

    /// <summary>Gets the memory bounds.</summary>
    public CapacityDefinition Capacity { get; init; } = new();

    /// <summary>Gets the error policy.</summary>
    public ErrorsDefinition Errors { get; init; } = new();

    /// <summary>
    /// Gets how often acknowledged source positions are committed: a period, <see cref="TimeSpan.Zero"/> (<c>continuous</c>)
    /// or <see cref="Timeout.InfiniteTimeSpan"/> (<c>on-stop</c>: only when the run ends).
    /// </summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan CommitInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>Gets the sinks; every record goes to every sink.</summary>
    public required IReadOnlyList<ConnectorDefinition> Sinks { get; init; }

    /// <summary>
    /// Gets the secret values of the pipeline's file (from <c>${NAME}</c> references under secret-looking keys, or
    /// <c>${secret:NAME}</c>), so that logs, metrics and messages can be scrubbed by value (see <see cref="Scrub"/>).
    /// </summary>
    /// <value>The default is none.</value>
    public IReadOnlyCollection<string> SecretValues { get; init; } = ValueList<string>.Empty;

    /// <summary>Gets the key path, e.g. <c>pipelines[0]</c>.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>Gets where the pipeline is written. Not part of equality.</summary>
    public ConfigLocation Location { get; init; }

    /// <summary>Replaces every secret value in <paramref name="text"/> with <c>***</c>.</summary>
    /// <param name="text">Any text: a log line, an exception message.</param>
    /// <returns>The text without secrets.</returns>
    public string Scrub(string text) => SecretScrubber.Scrub(text, SecretValues);

    /// <inheritdoc />
    public bool Equals(PipelineDefinition? other) =>
        other is not null && Name == other.Name && Description == other.Description && Framework.Equals(other.Framework)
        && Source.Equals(other.Source) && Sources.SequenceEqual(other.Sources) && SourceField == other.SourceField && Transforms.SequenceEqual(other.Transforms) && Parallelism.Equals(other.Parallelism)
        && Batch.Equals(other.Batch) && Capacity.Equals(other.Capacity) && Errors.Equals(other.Errors)
        && CommitInterval == other.CommitInterval && Sinks.SequenceEqual(other.Sinks)
        && SecretValues.Order(StringComparer.Ordinal).SequenceEqual(other.SecretValues.Order(StringComparer.Ordinal)) && Path == other.Path;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Source, Transforms.Count, Sinks.Count, Path);
}
