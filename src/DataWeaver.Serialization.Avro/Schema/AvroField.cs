namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>A field of a <see cref="RecordSchema"/>.</summary>
public sealed class AvroField
{
    private readonly object? _defaultValue;

    internal AvroField(string name, int position, AvroSchema schema, bool hasDefault, object? defaultValue, System.Text.Json.JsonElement? defaultJson, IReadOnlyList<string> aliases, string? doc)
    {
        Name = name;
        Position = position;
        Schema = schema;
        HasDefault = hasDefault;
        _defaultValue = defaultValue;
        DefaultJson = defaultJson;
        Aliases = aliases;
        Doc = doc;
    }

    /// <summary>Gets the field name.</summary>
    public string Name { get; }

    /// <summary>Gets the zero-based position of the field in its record.</summary>
    public int Position { get; }

    /// <summary>Gets the field's schema.</summary>
    public AvroSchema Schema { get; }

    /// <summary>Gets a value indicating whether the field declares a default value.</summary>
    public bool HasDefault { get; }

    /// <summary>Gets the field's aliases.</summary>
    public IReadOnlyList<string> Aliases { get; }

    /// <summary>Gets the documentation, if any.</summary>
    public string? Doc { get; }

    internal System.Text.Json.JsonElement? DefaultJson { get; }

    /// <summary>Gets a fresh copy of the default value as a generic value (see <see cref="Generic.GenericRecord"/>), or <see langword="null"/> when there is none.</summary>
    /// <returns>The default value; mutable values (lists, maps, records, byte arrays) are copied on every call.</returns>
    public object? GetDefaultValue() => Internal.GenericValues.DeepCopy(_defaultValue);
}
