namespace DataWeaver.Configuration;

/// <summary>
/// One transform of a pipeline definition: its kind (<c>filter</c>, <c>set</c>, <c>rename</c>, <c>drop</c>, <c>cast</c>,
/// <c>timestamp</c>, <c>lookup</c>, <c>code</c>, <c>dedupe</c> or <c>window</c>) and its arguments as written. Immutable; equality ignores
/// <see cref="Location"/>.
/// </summary>
public sealed record TransformDefinition
{
    /// <summary>Gets the kind of transform: the key of the list item.</summary>
    public required string Kind { get; init; }

    /// <summary>Gets the arguments: the value under the kind's key.</summary>
    public required ConfigValue Arguments { get; init; }

    /// <summary>Gets the key path, e.g. <c>pipelines[0].transforms[2]</c>.</summary>
    public string Path { get; init; } = string.Empty;

    /// <summary>Gets where the transform is written. Not part of equality.</summary>
    public ConfigLocation Location { get; init; }

    /// <summary>Gets a short description for graphs: <c>filter amount &gt;= 100</c>, <c>set region</c>, <c>code:enrich</c>.</summary>
    public string Describe() => Kind switch
    {
        "filter" => "filter",
        "drop" => "drop " + (Arguments.Kind == ConfigValueKind.Sequence ? string.Join(",", Arguments.Items.Select(i => i.Text)) : Arguments.Text),
        "rename" => $"rename {Arguments["from"]?.Text}->{Arguments["to"]?.Text}",
        "code" => "code:" + Arguments["name"]?.Text,
        _ => $"{Kind} {Arguments["field"]?.Text}",
    };

    /// <inheritdoc />
    public bool Equals(TransformDefinition? other) => other is not null && Kind == other.Kind && Arguments.Equals(other.Arguments) && Path == other.Path;

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Arguments, Path);
}
