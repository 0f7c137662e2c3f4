namespace DataWeaver.Configuration;

/// <summary>
/// One setting a connector (or framework, format, code transform) accepts: its name and type, whether it is required or
/// secret. The loader checks every file against these before anything is constructed, with "did you mean" for typos.
/// </summary>
/// <param name="Name">The setting's key (exact case).</param>
/// <param name="Type">What the value must be.</param>
public sealed record SettingDescriptor(string Name, SettingType Type)
{
    /// <summary>Gets a value indicating whether the setting must be given.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Required { get; init; }

    /// <summary>Gets a value indicating whether the value is a secret: never shown in messages, graphs or logs, even when written literally.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Secret { get; init; }

    /// <summary>Gets a value indicating whether the setting is a file the connector writes: two connectors of one file writing the same path are refused.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Output { get; init; }

    /// <summary>Gets the values allowed for a <see cref="SettingType.String"/> setting.</summary>
    /// <value>The default is <see langword="null"/>: any value.</value>
    public IReadOnlyList<string>? AllowedValues { get; init; }

    /// <summary>Gets the smallest value of a number, integer or size setting.</summary>
    /// <value>The default is <see langword="null"/>: no bound.</value>
    public double? Minimum { get; init; }

    /// <summary>Gets the largest value of a number, integer or size setting.</summary>
    /// <value>The default is <see langword="null"/>: no bound.</value>
    public double? Maximum { get; init; }

    /// <summary>Gets the default value as it would be written in a file, for documentation.</summary>
    /// <value>The default is <see langword="null"/>: none.</value>
    public string? Default { get; init; }

    /// <summary>Gets a one-line description, for documentation and tools.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Description { get; init; }
}
