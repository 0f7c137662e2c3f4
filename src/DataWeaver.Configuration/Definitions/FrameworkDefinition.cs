namespace DataWeaver.Configuration;

/// <summary>
/// The stream framework a pipeline's <c>stream</c> connectors use: a registered type (<c>in-process</c>, or
/// <c>kafka</c> once registered) and its settings. Pipelines with equal framework definitions share one framework
/// instance, so one pipeline can read what another writes. Immutable; equality ignores <see cref="Location"/>.
/// </summary>
public sealed record FrameworkDefinition
{
    /// <summary>Gets the in-process framework with its default settings.</summary>
    public static FrameworkDefinition InProcess { get; } = new() { Type = "in-process", Settings = ConfigValue.Mapping([]) };

    /// <summary>Gets the framework type, as registered in the <see cref="ConnectorRegistry"/>.</summary>
    /// <value>The default (when a file sets no framework) is <c>in-process</c>.</value>
    public required string Type { get; init; }

    /// <summary>Gets the framework's settings, a mapping (empty when the file sets none).</summary>
    public required ConfigValue Settings { get; init; }

    /// <summary>Gets the key path of the framework, e.g. <c>pipelines[0].framework</c>.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>Gets where the framework is written. Not part of equality.</summary>
    public ConfigLocation Location { get; init; }

    /// <inheritdoc />
    public bool Equals(FrameworkDefinition? other) => other is not null && Type == other.Type && Settings.Equals(other.Settings);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Settings);
}
