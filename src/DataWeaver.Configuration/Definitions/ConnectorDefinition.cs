namespace DataWeaver.Configuration;

/// <summary>
/// A source, sink or dead-letter target of a pipeline definition: a registered type, its format and settings. Immutable;
/// equality ignores <see cref="Location"/>, so a file read as YAML equals the same file read as JSON.
/// </summary>
public sealed record ConnectorDefinition
{
    /// <summary>Gets the connector type, as registered in the <see cref="ConnectorRegistry"/> (<c>json-lines-file</c>, <c>stream</c>, ...).</summary>
    public required string Type { get; init; }

    /// <summary>Gets the connector's name in graphs, logs and errors.</summary>
    /// <value>The default is the type, with <c>#2</c>, <c>#3</c>... for the second and later sinks of one type.</value>
    public required string Name { get; init; }

    /// <summary>Gets what the connector is for.</summary>
    public required ConnectorRole Role { get; init; }

    /// <summary>Gets the format of the connector's bytes.</summary>
    /// <value>The default is <c>json</c> with no settings.</value>
    public FormatDefinition Format { get; init; } = FormatDefinition.Json;

    /// <summary>
    /// Gets what keys each message (sinks of messages only): a field or dotted path (<c>customer.id</c>), or a template with
    /// <c>{field}</c> placeholders (<c>order-{id}</c>, <c>{$meta.key}</c>).
    /// </summary>
    /// <value>The default is <see langword="null"/>: messages without a key.</value>
    public string? Key { get; init; }

    /// <summary>
    /// Gets the headers each message gets (sinks of messages only): a header name and a template with <c>{field}</c>
    /// placeholders, in the file's order. A template that is one placeholder alone leaves the header out when the field is
    /// missing or null.
    /// </summary>
    /// <value>The default is <see langword="null"/>: messages without headers.</value>
    public IReadOnlyList<KeyValuePair<string, string>>? Headers { get; init; }

    /// <summary>
    /// Gets a value indicating whether each record read carries its message's metadata (sources of messages only): the
    /// field <c>$meta</c> holds <c>topic</c>, <c>partition</c>, <c>offset</c>, <c>timestamp</c>, <c>key</c> and <c>headers</c>
    /// for transforms to read, and is removed before any sink writes the record.
    /// </summary>
    /// <value>The default is <see langword="false"/>: records are the decoded values only.</value>
    public bool Metadata { get; init; }

    /// <summary>Gets the connector's settings, a mapping (empty when the file sets none).</summary>
    public required ConfigValue Settings { get; init; }

    /// <summary>Gets the key path of the connector, e.g. <c>pipelines[0].sinks[1]</c>.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>Gets where the connector is written. Not part of equality.</summary>
    public ConfigLocation Location { get; init; }

    /// <inheritdoc />
    public bool Equals(ConnectorDefinition? other) =>
        other is not null && Type == other.Type && Name == other.Name && Role == other.Role && Format.Equals(other.Format)
        && Key == other.Key && Metadata == other.Metadata && (Headers ?? []).SequenceEqual(other.Headers ?? [])
        && Settings.Equals(other.Settings) && Path == other.Path;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Type, Name, Role, Format, Key, Metadata, Settings, Path);
}
