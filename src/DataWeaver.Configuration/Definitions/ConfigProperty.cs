namespace DataWeaver.Configuration;

/// <summary>One key of a <see cref="ConfigValue"/> mapping: its name, where the name is, and its value. Equality ignores locations.</summary>
public sealed class ConfigProperty : IEquatable<ConfigProperty>
{
    /// <summary>Creates a property.</summary>
    /// <param name="name">The key.</param>
    /// <param name="value">The value.</param>
    /// <param name="nameLocation">Where the key is written; <see cref="ConfigLocation.None"/> for values built in code.</param>
    public ConfigProperty(string name, ConfigValue value, ConfigLocation nameLocation = default)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(value);
        Name = name;
        Value = value;
        NameLocation = nameLocation;
    }

    /// <summary>Gets the key.</summary>
    public string Name { get; }

    /// <summary>Gets the value.</summary>
    public ConfigValue Value { get; }

    /// <summary>Gets where the key is written.</summary>
    public ConfigLocation NameLocation { get; }

    /// <inheritdoc />
    public bool Equals(ConfigProperty? other) => other is not null && Name == other.Name && Value.Equals(other.Value);

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as ConfigProperty);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Name, Value);

    /// <summary>Returns <c>name: value</c>, secrets masked.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Name}: {Value}";
}
