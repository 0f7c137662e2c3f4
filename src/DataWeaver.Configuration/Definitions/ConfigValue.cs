using System.Collections;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DataWeaver.Configuration;

/// <summary>
/// One value of a pipeline definition file, YAML or JSON alike: a scalar, a mapping or a sequence, with where it is
/// (<see cref="Location"/>, <see cref="Path"/>) and whether it is a secret. Connector settings reach connector
/// factories as <see cref="ConfigValue"/>s. Immutable. Equality compares content (kinds, texts, keys in order, the
/// secret flags) and ignores locations, so a file read as YAML equals the same file read as JSON.
/// </summary>
/// <remarks>
/// A secret's text is available to code (<see cref="Text"/>) but <see cref="ToString"/>, <see cref="ToJson"/> and every
/// error message show <c>***</c> instead.
/// </remarks>
public sealed class ConfigValue : IEquatable<ConfigValue>
{
    /// <summary>What secrets are replaced with in every text meant for people.</summary>
    public const string Mask = "***";

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private ConfigValue(ConfigValueKind kind, string? text, IReadOnlyList<ConfigValue> items, IReadOnlyList<ConfigProperty> properties, ConfigLocation location, string path, bool isSecret, bool fromVariable)
    {
        Kind = kind;
        Text = text;
        Items = items;
        Properties = properties;
        Location = location;
        Path = path;
        IsSecret = isSecret;
        FromVariable = fromVariable;
    }

    /// <summary>Gets the kind of value.</summary>
    public ConfigValueKind Kind { get; }

    /// <summary>
    /// Gets a scalar's text: the string, the number in invariant form, <c>true</c> or <c>false</c>;
    /// <see langword="null"/> for nulls, mappings and sequences. For a secret this is the real value: never log it.
    /// </summary>
    public string? Text { get; }

    /// <summary>Gets a sequence's items; empty for other kinds.</summary>
    public IReadOnlyList<ConfigValue> Items { get; }

    /// <summary>Gets a mapping's keys and values in file order; empty for other kinds.</summary>
    public IReadOnlyList<ConfigProperty> Properties { get; }

    /// <summary>Gets where the value is written.</summary>
    public ConfigLocation Location { get; }

    /// <summary>Gets the key path of the value, e.g. <c>pipelines[0].sinks[1].settings.path</c>; empty for the file's root.</summary>
    public string Path { get; }

    /// <summary>
    /// Gets a value indicating whether the value is a secret: it came from an environment variable under a key that looks
    /// secret (password, secret, token, key, <c>sasl.*</c>, <c>ssl.key*</c>), was written <c>${secret:NAME}</c>, or is a
    /// connector setting its descriptor declares secret.
    /// </summary>
    public bool IsSecret { get; }

    /// <summary>Gets a value indicating whether the value is a scalar (not a mapping or a sequence).</summary>
    public bool IsScalar => Kind is not (ConfigValueKind.Mapping or ConfigValueKind.Sequence);

    /// <summary>Gets a value indicating whether the value came from an environment variable: then a string may stand for a number or a boolean.</summary>
    internal bool FromVariable { get; }

    /// <summary>Gets the value of a mapping's key.</summary>
    /// <param name="key">The key (exact case).</param>
    /// <returns>The value, or <see langword="null"/> when the key is missing or this is not a mapping.</returns>
    public ConfigValue? this[string key] => TryGetProperty(key, out var value) ? value : null;

    /// <summary>Creates a scalar.</summary>
    /// <param name="kind">A scalar kind.</param>
    /// <param name="text">The text; <see langword="null"/> for <see cref="ConfigValueKind.Null"/>.</param>
    /// <param name="location">Where it is written.</param>
    /// <param name="path">Its key path.</param>
    /// <param name="isSecret">Whether it is a secret.</param>
    /// <returns>The value.</returns>
    public static ConfigValue Scalar(ConfigValueKind kind, string? text, ConfigLocation location = default, string path = "", bool isSecret = false)
    {
        if (kind is ConfigValueKind.Mapping or ConfigValueKind.Sequence)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "A scalar cannot be a mapping or a sequence.");
        }

        return new ConfigValue(kind, kind == ConfigValueKind.Null ? null : text ?? string.Empty, [], [], location, path ?? string.Empty, isSecret, false);
    }

    /// <summary>Creates a mapping.</summary>
    /// <param name="properties">The keys and values, in order.</param>
    /// <param name="location">Where it is written.</param>
    /// <param name="path">Its key path.</param>
    /// <returns>The value.</returns>
    public static ConfigValue Mapping(IEnumerable<ConfigProperty> properties, ConfigLocation location = default, string path = "")
    {
        ArgumentNullException.ThrowIfNull(properties);
        return new ConfigValue(ConfigValueKind.Mapping, null, [], [.. properties], location, path ?? string.Empty, false, false);
    }

    /// <summary>Creates a sequence.</summary>
    /// <param name="items">The items, in order.</param>
    /// <param name="location">Where it is written.</param>
    /// <param name="path">Its key path.</param>
    /// <returns>The value.</returns>
    public static ConfigValue Sequence(IEnumerable<ConfigValue> items, ConfigLocation location = default, string path = "")
    {
        ArgumentNullException.ThrowIfNull(items);
        return new ConfigValue(ConfigValueKind.Sequence, null, [.. items], [], location, path ?? string.Empty, false, false);
    }

    /// <summary>
    /// Converts a value built in code: <see langword="null"/>, strings, booleans, numbers, <see cref="TimeSpan"/>s
    /// (as <c>1500ms</c>), dictionaries with string keys (mappings), other sequences, and <see cref="ConfigValue"/>s as they are.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <param name="path">The key path to give it.</param>
    /// <returns>The configuration value.</returns>
    /// <exception cref="ArgumentException">The value has a type that has no configuration form.</exception>
    public static ConfigValue FromObject(object? value, string path = "") => value switch
    {
        null => Scalar(ConfigValueKind.Null, null, default, path),
        ConfigValue config => config.WithPath(path),
        string text => Scalar(ConfigValueKind.String, text, default, path),
        bool flag => Scalar(ConfigValueKind.Boolean, flag ? "true" : "false", default, path),
        TimeSpan span => Scalar(ConfigValueKind.String, ((long)span.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms", default, path),
        sbyte or byte or short or ushort or int or uint or long or ulong => Scalar(ConfigValueKind.Integer, Convert.ToString(value, CultureInfo.InvariantCulture), default, path),
        float or double or decimal => Scalar(ConfigValueKind.Number, Convert.ToString(value, CultureInfo.InvariantCulture), default, path),
        IEnumerable<KeyValuePair<string, object?>> map => Mapping(map.Select(p => new ConfigProperty(p.Key, FromObject(p.Value, ConfigPath.Child(path, p.Key)))), default, path),
        IEnumerable<KeyValuePair<string, string>> map => Mapping(map.Select(p => new ConfigProperty(p.Key, FromObject(p.Value, ConfigPath.Child(path, p.Key)))), default, path),
        IDictionary map => Mapping(map.Cast<DictionaryEntry>().Select(e => (Key: Convert.ToString(e.Key, CultureInfo.InvariantCulture)!, e.Value)).Select(e => new ConfigProperty(e.Key, FromObject(e.Value, ConfigPath.Child(path, e.Key)))), default, path),
        IEnumerable items => Sequence(items.Cast<object?>().Select((item, i) => FromObject(item, ConfigPath.Item(path, i))), default, path),
        _ => throw new ArgumentException($"A {value.GetType().Name} has no configuration form; use strings, numbers, booleans, dictionaries and lists.", nameof(value)),
    };

    /// <summary>Finds a mapping's key.</summary>
    /// <param name="key">The key (exact case).</param>
    /// <param name="value">Its value, when found.</param>
    /// <returns><see langword="true"/> when this is a mapping with that key.</returns>
    public bool TryGetProperty(string key, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out ConfigValue? value)
    {
        foreach (var property in Properties)
        {
            if (property.Name == key)
            {
                value = property.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    /// <summary>Reads an integer: an integer scalar, or a string from an environment variable that holds one.</summary>
    /// <param name="value">The integer.</param>
    /// <returns><see langword="true"/> when the value is such an integer.</returns>
    public bool TryGetInt64(out long value)
    {
        value = 0;
        return (Kind == ConfigValueKind.Integer || (Kind == ConfigValueKind.String && FromVariable))
            && long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Reads a number: an integer or number scalar, or a string from an environment variable that holds one.</summary>
    /// <param name="value">The number.</param>
    /// <returns><see langword="true"/> when the value is such a number.</returns>
    public bool TryGetDouble(out double value)
    {
        value = 0;
        return (Kind is ConfigValueKind.Integer or ConfigValueKind.Number || (Kind == ConfigValueKind.String && FromVariable))
            && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value)
            && double.IsFinite(value);
    }

    /// <summary>Reads a number as a <see cref="decimal"/>; see <see cref="TryGetDouble"/>.</summary>
    /// <param name="value">The number.</param>
    /// <returns><see langword="true"/> when the value is a number within the range of <see cref="decimal"/>.</returns>
    public bool TryGetDecimal(out decimal value)
    {
        value = 0;
        return (Kind is ConfigValueKind.Integer or ConfigValueKind.Number || (Kind == ConfigValueKind.String && FromVariable))
            && decimal.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
    }

    /// <summary>Reads a boolean: a boolean scalar, or <c>true</c>/<c>false</c> from an environment variable.</summary>
    /// <param name="value">The boolean.</param>
    /// <returns><see langword="true"/> when the value is such a boolean.</returns>
    public bool TryGetBoolean(out bool value)
    {
        value = false;
        return (Kind == ConfigValueKind.Boolean || (Kind == ConfigValueKind.String && FromVariable))
            && bool.TryParse(Text, out value);
    }

    /// <summary>Renders the value as JSON text; secrets become <c>"***"</c> unless <paramref name="revealSecrets"/>.</summary>
    /// <param name="revealSecrets">Write secrets as they are (for handing settings to a client library, never for logs).</param>
    /// <returns>The JSON text.</returns>
    public string ToJson(bool revealSecrets = false)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, WriterOptions))
        {
            WriteJson(writer, revealSecrets);
        }

        return Encoding.UTF8.GetString(stream.GetBuffer(), 0, (int)stream.Length);
    }

    /// <summary>Writes the value as JSON; secrets become <c>"***"</c> unless <paramref name="revealSecrets"/>.</summary>
    /// <param name="writer">Where the JSON goes.</param>
    /// <param name="revealSecrets">Write secrets as they are.</param>
    public void WriteJson(Utf8JsonWriter writer, bool revealSecrets = false)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (IsSecret && !revealSecrets)
        {
            writer.WriteStringValue(Mask);
            return;
        }

        switch (Kind)
        {
            case ConfigValueKind.Null:
                writer.WriteNullValue();
                break;
            case ConfigValueKind.String:
                writer.WriteStringValue(Text);
                break;
            case ConfigValueKind.Integer or ConfigValueKind.Number:
                writer.WriteRawValue(Text!, skipInputValidation: false);
                break;
            case ConfigValueKind.Boolean:
                writer.WriteBooleanValue(Text == "true");
                break;
            case ConfigValueKind.Mapping:
                writer.WriteStartObject();
                foreach (var property in Properties)
                {
                    writer.WritePropertyName(property.Name);
                    property.Value.WriteJson(writer, revealSecrets);
                }

                writer.WriteEndObject();
                break;
            default:
                writer.WriteStartArray();
                foreach (var item in Items)
                {
                    item.WriteJson(writer, revealSecrets);
                }

                writer.WriteEndArray();
                break;
        }
    }

    /// <summary>Returns the value as JSON text with secrets masked.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => ToJson();

    /// <inheritdoc />
    public bool Equals(ConfigValue? other) =>
        other is not null
        && Kind == other.Kind
        && IsSecret == other.IsSecret
        && Text == other.Text
        && Items.SequenceEqual(other.Items)
        && Properties.SequenceEqual(other.Properties);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ConfigValue);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Kind, Text, Items.Count, Properties.Count, IsSecret);

    /// <summary>Describes the value for an error message: a short quoted scalar, <c>***</c> for a secret, or its kind.</summary>
    internal string Describe()
    {
        if (IsSecret)
        {
            return Mask;
        }

        return Kind switch
        {
            ConfigValueKind.Null => "null",
            ConfigValueKind.Mapping => "a mapping",
            ConfigValueKind.Sequence => "a sequence",
            ConfigValueKind.String => "'" + (Text!.Length > 60 ? Text[..57] + "..." : Text) + "'",
            _ => Text!,
        };
    }

    internal static string KindName(ConfigValueKind kind) => kind switch
    {
        ConfigValueKind.Null => "null",
        ConfigValueKind.String => "a string",
        ConfigValueKind.Integer => "an integer",
        ConfigValueKind.Number => "a number",
        ConfigValueKind.Boolean => "a boolean",
        ConfigValueKind.Mapping => "a mapping",
        _ => "a sequence",
    };

    internal ConfigValue WithScalar(ConfigValueKind kind, string? text, bool isSecret, bool fromVariable) =>
        new(kind, text, Items, Properties, Location, Path, isSecret, fromVariable);

    internal ConfigValue WithSecret() => IsSecret ? this : new(Kind, Text, Items, Properties, Location, Path, true, FromVariable);

    internal ConfigValue WithChildren(IReadOnlyList<ConfigValue> items, IReadOnlyList<ConfigProperty> properties) =>
        new(Kind, Text, items, properties, Location, Path, IsSecret, FromVariable);

    /// <summary>Copies the value under another key path (an alias, a merged key, a value built in code).</summary>
    internal ConfigValue WithPath(string path)
    {
        if (path == Path)
        {
            return this;
        }

        return new ConfigValue(
            Kind,
            Text,
            [.. Items.Select((item, i) => item.WithPath(ConfigPath.Item(path, i)))],
            [.. Properties.Select(p => new ConfigProperty(p.Name, p.Value.WithPath(ConfigPath.Child(path, p.Name)), p.NameLocation))],
            Location,
            path,
            IsSecret,
            FromVariable);
    }
}
