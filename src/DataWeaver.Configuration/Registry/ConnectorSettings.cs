using System.Globalization;
using DataWeaver.Configuration.Internal;

namespace DataWeaver.Configuration;

/// <summary>
/// Typed access to the <c>settings</c> mapping of a connector, framework, format or code transform, for factories.
/// A setting that is missing returns the default given; a setting of the wrong type throws a
/// <see cref="PipelineDefinitionException"/> naming its key, file, line and column (the loader has already checked the
/// settings a <see cref="ConnectorDescriptor"/> declares). Values read here are real, secrets included: never log them.
/// </summary>
public sealed class ConnectorSettings
{
    private readonly string? _baseDirectory;

    /// <summary>Creates settings over a mapping.</summary>
    /// <param name="value">The mapping (a null value counts as an empty mapping).</param>
    /// <param name="baseDirectory">The folder relative paths resolve against; <see langword="null"/> uses the current directory.</param>
    public ConnectorSettings(ConfigValue value, string? baseDirectory = null)
    {
        ArgumentNullException.ThrowIfNull(value);
        Value = value.Kind == ConfigValueKind.Null ? ConfigValue.Mapping([], value.Location, value.Path) : value;
        _baseDirectory = baseDirectory;
    }

    /// <summary>Gets the settings as written.</summary>
    public ConfigValue Value { get; }

    /// <summary>Gets the names of the settings given, in file order.</summary>
    public IEnumerable<string> Names => Value.Properties.Select(p => p.Name);

    /// <summary>Gets a value indicating whether a setting is given.</summary>
    /// <param name="name">The setting's key.</param>
    /// <returns><see langword="true"/> when given (even as null).</returns>
    public bool Contains(string name) => Value.TryGetProperty(name, out _);

    /// <summary>Gets a setting's raw value.</summary>
    /// <param name="name">The setting's key.</param>
    /// <returns>The value, or <see langword="null"/> when missing.</returns>
    public ConfigValue? Get(string name) => Value[name];

    /// <summary>Reads a scalar setting as text.</summary>
    /// <param name="name">The setting's key.</param>
    /// <param name="defaultValue">The value when missing or null.</param>
    /// <returns>The text.</returns>
    [return: System.Diagnostics.CodeAnalysis.NotNullIfNotNull(nameof(defaultValue))]
    public string? GetString(string name, string? defaultValue = null)
    {
        var value = Value[name];
        if (value is null || value.Kind == ConfigValueKind.Null)
        {
            return defaultValue;
        }

        return value.IsScalar ? value.Text : throw Invalid(value, "Expected a scalar");
    }

    /// <summary>Reads a required scalar setting as text.</summary>
    /// <param name="name">The setting's key.</param>
    /// <returns>The text.</returns>
    /// <exception cref="PipelineDefinitionException">The setting is missing.</exception>
    public string GetRequiredString(string name) => GetString(name) ?? throw Missing(name);

    /// <summary>Reads an integer setting.</summary>
    /// <param name="name">The setting's key.</param>
    /// <param name="defaultValue">The value when missing.</param>
    /// <returns>The integer.</returns>
    public long GetInt64(string name, long defaultValue) => Read(name, defaultValue, static (ConfigValue v, out long r) => v.TryGetInt64(out r), "an integer");

    /// <summary>Reads an integer setting that fits an <see cref="int"/>.</summary>
    /// <param name="name">The setting's key.</param>
    /// <param name="defaultValue">The value when missing.</param>
    /// <returns>The integer.</returns>
    public int GetInt32(string name, int defaultValue) =>
        Read(name, defaultValue, static (ConfigValue v, out int r) => { r = 0; return v.TryGetInt64(out var l) && l is >= int.MinValue and <= int.MaxValue && (r = (int)l) == l; }, "an integer of 32 bits");

    /// <summary>Reads an optional integer setting.</summary>
    /// <param name="name">The setting's key.</param>
    /// <returns>The integer, or <see langword="null"/> when missing or null.</returns>
    public long? GetOptionalInt64(string name) => Value[name] is { Kind: not ConfigValueKind.Null } ? GetInt64(name, 0) : null;

    /// <summary>Reads a number setting.</summary>
    /// <param name="name">The setting's key.</param>
    /// <param name="defaultValue">The value when missing.</param>
    /// <returns>The number.</returns>
    public double GetDouble(string name, double defaultValue) => Read(name, defaultValue, static (ConfigValue v, out double r) => v.TryGetDouble(out r), "a number");

    /// <summary>Reads a boolean setting.</summary>
    /// <param name="name">The setting's key.</param>
    /// <param name="defaultValue">The value when missing.</param>
    /// <returns>The boolean.</returns>
    public bool GetBoolean(string name, bool defaultValue) => Read(name, defaultValue, static (ConfigValue v, out bool r) => v.TryGetBoolean(out r), "true or false");

    /// <summary>Reads a duration setting (<c>50ms</c>, <c>5s</c>, <c>2m</c>, <c>1h</c>, <c>1d</c>).</summary>
    /// <param name="name">The setting's key.</param>
    /// <param name="defaultValue">The value when missing.</param>
    /// <returns>The duration.</returns>
    public TimeSpan GetDuration(string name, TimeSpan defaultValue) =>
        Read(name, defaultValue, static (ConfigValue v, out TimeSpan r) => Units.TryParseDuration(v.Text, out r), "a duration such as 50ms, 5s or 2m");

    /// <summary>Reads a size setting: bytes, or a number and a unit (<c>B</c>, <c>KB</c>, <c>KiB</c>, <c>MB</c>, <c>MiB</c>, <c>GB</c>, <c>GiB</c>).</summary>
    /// <param name="name">The setting's key.</param>
    /// <param name="defaultValue">The value when missing.</param>
    /// <returns>The size in bytes.</returns>
    public long GetSize(string name, long defaultValue) =>
        Read(name, defaultValue, static (ConfigValue v, out long r) => Units.TryParseSize(v, out r), "a size such as 4096 or 64MiB");

    /// <summary>Reads a path setting, resolved against the base directory when relative.</summary>
    /// <param name="name">The setting's key.</param>
    /// <returns>The full path, or <see langword="null"/> when missing.</returns>
    public string? GetPath(string name) => GetString(name) is { } path ? ResolvePath(path) : null;

    /// <summary>Reads a required path setting, resolved against the base directory when relative.</summary>
    /// <param name="name">The setting's key.</param>
    /// <returns>The full path.</returns>
    public string GetRequiredPath(string name) => ResolvePath(GetRequiredString(name));

    /// <summary>Reads a sequence of scalars as text; a single scalar counts as a sequence of one.</summary>
    /// <param name="name">The setting's key.</param>
    /// <returns>The texts; empty when missing.</returns>
    public IReadOnlyList<string> GetStringList(string name)
    {
        var value = Value[name];
        return value switch
        {
            null or { Kind: ConfigValueKind.Null } => [],
            { Kind: ConfigValueKind.Sequence } => [.. value.Items.Select(i => i.IsScalar && i.Text is { } t ? t : throw Invalid(i, "Expected a scalar"))],
            { IsScalar: true } => [value.Text!],
            _ => throw Invalid(value, "Expected a sequence of scalars"),
        };
    }

    /// <summary>Gets a nested mapping as settings of its own.</summary>
    /// <param name="name">The setting's key.</param>
    /// <returns>The nested settings; empty when missing.</returns>
    public ConnectorSettings GetSection(string name)
    {
        var value = Value[name];
        if (value is null || value.Kind == ConfigValueKind.Null)
        {
            return new ConnectorSettings(ConfigValue.Mapping([], Value.Location, ConfigPath.Child(Value.Path, name)), _baseDirectory);
        }

        return value.Kind == ConfigValueKind.Mapping ? new ConnectorSettings(value, _baseDirectory) : throw Invalid(value, "Expected a mapping");
    }

    /// <summary>
    /// Flattens the settings into dotted keys and text values (<c>sasl: { password: x }</c> becomes <c>sasl.password = x</c>),
    /// the shape client libraries such as Kafka's take. Values are real, secrets included.
    /// </summary>
    /// <returns>The flat settings.</returns>
    public IReadOnlyDictionary<string, string> ToFlatDictionary()
    {
        Dictionary<string, string> flat = new(StringComparer.Ordinal);
        Flatten(Value, string.Empty, flat);
        return flat;
    }

    /// <summary>Resolves a path against the base directory when it is relative.</summary>
    /// <param name="path">The path as written.</param>
    /// <returns>The full path.</returns>
    public string ResolvePath(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        return Path.GetFullPath(Path.IsPathRooted(path) ? path : Path.Combine(_baseDirectory ?? Directory.GetCurrentDirectory(), path));
    }

    internal static PipelineDefinitionException Invalid(ConfigValue value, string expected) =>
        new([new ConfigurationError(ConfigurationErrorCode.Type, value.Path, $"{expected}; found {value.Describe()}.", value.Location)]);

    private static void Flatten(ConfigValue value, string prefix, Dictionary<string, string> flat)
    {
        foreach (var property in value.Properties)
        {
            var key = prefix.Length == 0 ? property.Name : prefix + "." + property.Name;
            switch (property.Value.Kind)
            {
                case ConfigValueKind.Mapping:
                    Flatten(property.Value, key, flat);
                    break;
                case ConfigValueKind.Sequence:
                    flat[key] = string.Join(",", property.Value.Items.Select(i => i.Text ?? i.ToJson(revealSecrets: true)));
                    break;
                case ConfigValueKind.Null:
                    break;
                default:
                    flat[key] = property.Value.Text!;
                    break;
            }
        }
    }

    private T Read<T>(string name, T defaultValue, TryRead<T> read, string expected)
    {
        var value = Value[name];
        if (value is null || value.Kind == ConfigValueKind.Null)
        {
            return defaultValue;
        }

        return read(value, out var result) ? result : throw Invalid(value, "Expected " + expected);
    }

    private PipelineDefinitionException Missing(string name) =>
        new([new ConfigurationError(ConfigurationErrorCode.MissingSetting, ConfigPath.Child(Value.Path, name), string.Create(CultureInfo.InvariantCulture, $"Missing required setting '{name}'."), Value.Location)]);

    private delegate bool TryRead<T>(ConfigValue value, out T result);
}
