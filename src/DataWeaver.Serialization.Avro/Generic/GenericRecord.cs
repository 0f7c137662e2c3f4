using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Generic;

/// <summary>
/// A record value described by a <see cref="RecordSchema"/>, with no C# type needed. Field values are
/// generic values: <see langword="null"/>, <see cref="bool"/>, <see cref="int"/>, <see cref="long"/>,
/// <see cref="float"/>, <see cref="double"/>, <see cref="byte"/>[], <see cref="string"/>,
/// <see cref="GenericRecord"/>, <see cref="GenericEnum"/>, <see cref="GenericFixed"/>,
/// <see cref="IList{T}"/> of values, <see cref="IDictionary{TKey,TValue}"/> of string to values, and for
/// logical types <see cref="decimal"/> or <see cref="AvroDecimal"/>, <see cref="Guid"/>,
/// <see cref="DateOnly"/>, <see cref="TimeOnly"/> and <see cref="DateTime"/>. Not thread-safe for writes.
/// </summary>
public sealed class GenericRecord
{
    private readonly object?[] _values;

    /// <summary>Creates a record whose fields are all <see langword="null"/>.</summary>
    /// <param name="schema">The record schema.</param>
    public GenericRecord(RecordSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        Schema = schema;
        _values = new object?[schema.Fields.Count];
    }

    /// <summary>Gets the record schema.</summary>
    public RecordSchema Schema { get; }

    /// <summary>Gets or sets a field value by position.</summary>
    /// <param name="index">The field position.</param>
    /// <returns>The field value.</returns>
    public object? this[int index]
    {
        get => _values[index];
        set => _values[index] = value;
    }

    /// <summary>Gets or sets a field value by name.</summary>
    /// <param name="name">The field name.</param>
    /// <returns>The field value.</returns>
    /// <exception cref="KeyNotFoundException">The record has no field of that name.</exception>
    public object? this[string name]
    {
        get => _values[IndexOf(name)];
        set => _values[IndexOf(name)] = value;
    }

    /// <summary>Gets a field value by name, if the record has that field.</summary>
    /// <param name="name">The field name.</param>
    /// <param name="value">The value, when found.</param>
    /// <returns><see langword="true"/> when the record has a field of that name.</returns>
    public bool TryGetValue(string name, out object? value)
    {
        if (Schema.TryGetField(name, out var f))
        {
            value = _values[f.Position];
            return true;
        }

        value = null;
        return false;
    }

    /// <summary>Gets a field value by name, cast to <typeparamref name="T"/>.</summary>
    /// <typeparam name="T">The expected .NET type of the value.</typeparam>
    /// <param name="name">The field name.</param>
    /// <returns>The value.</returns>
    public T Get<T>(string name) => (T)_values[IndexOf(name)]!;

    /// <inheritdoc />
    public override string ToString() => $"{Schema.FullName} {{ {string.Join(", ", Schema.Fields.Select(f => f.Name + " = " + (_values[f.Position] ?? "null")))} }}";

    private int IndexOf(string name) =>
        Schema.TryGetField(name, out var f) ? f.Position : throw new KeyNotFoundException($"Record '{Schema.FullName}' has no field '{name}'.");
}
