namespace DataWeaver.Configuration;

/// <summary>
/// What a registered connector type (or framework, format, code transform) accepts: its settings and formats. Optional
/// at registration; without one, any settings pass validation and the factory checks them when the pipeline is created.
/// Immutable.
/// </summary>
public sealed record ConnectorDescriptor
{
    /// <summary>Gets an empty descriptor: no settings accepted.</summary>
    public static ConnectorDescriptor NoSettings { get; } = new();

    /// <summary>Gets a one-line description, for documentation and tools.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Description { get; init; }

    /// <summary>Gets the settings the connector accepts.</summary>
    /// <value>The default is none.</value>
    public IReadOnlyList<SettingDescriptor> Settings { get; init; } = [];

    /// <summary>Gets a value indicating whether settings that <see cref="Settings"/> does not list are accepted (passed through, e.g. client library options).</summary>
    /// <value>The default is <see langword="false"/>: unknown settings are errors, with a "did you mean".</value>
    public bool AllowOtherSettings { get; init; }

    /// <summary>
    /// Gets a check of the settings beyond their types (how settings relate, what a nested mapping holds), run when files
    /// are loaded, after the type checks passed. It returns the problems found (<see cref="ConfigurationError.At"/> makes
    /// one from a value) and MUST NOT connect or throw.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no further check.</value>
    public Func<ConnectorSettings, IEnumerable<ConfigurationError>>? Validate { get; init; }

    /// <summary>Gets the formats the connector supports.</summary>
    /// <value>The default is <see langword="null"/>: every registered format.</value>
    public IReadOnlyList<string>? Formats { get; init; }
}
