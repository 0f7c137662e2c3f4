namespace DataWeaver.Configuration;

/// <summary>A connector's format: its name (<c>json</c>, <c>string</c>, <c>raw</c>, or one registered from code) and settings. Immutable.</summary>
public sealed record FormatDefinition
{
    /// <summary>Gets the default format: <c>json</c> with no settings.</summary>
    public static FormatDefinition Json { get; } = new() { Name = "json" };

    /// <summary>Gets the format name.</summary>
    public required string Name { get; init; }

    /// <summary>Gets the format's settings, a mapping.</summary>
    /// <value>The default is an empty mapping.</value>
    public ConfigValue Settings { get; init; } = ConfigValue.Mapping([]);
}
