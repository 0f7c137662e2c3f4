using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Generic;

/// <summary>An enum value: a symbol of an <see cref="EnumSchema"/>. When writing, a plain <see cref="string"/> symbol is accepted too.</summary>
public sealed class GenericEnum : IEquatable<GenericEnum>
{
    /// <summary>Creates an enum value.</summary>
    /// <param name="schema">The enum schema.</param>
    /// <param name="symbol">The symbol; it must be one of the schema's symbols.</param>
    /// <exception cref="ArgumentException">The symbol is not in the schema.</exception>
    public GenericEnum(EnumSchema schema, string symbol)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(symbol);
        Index = schema.IndexOf(symbol);
        if (Index < 0)
        {
            throw new ArgumentException($"'{symbol}' is not a symbol of enum '{schema.FullName}'.", nameof(symbol));
        }

        Schema = schema;
        Symbol = symbol;
    }

    /// <summary>Gets the enum schema.</summary>
    public EnumSchema Schema { get; }

    /// <summary>Gets the symbol.</summary>
    public string Symbol { get; }

    /// <summary>Gets the index of the symbol in the schema.</summary>
    public int Index { get; }

    /// <inheritdoc />
    public bool Equals(GenericEnum? other) => other is not null && other.Symbol == Symbol && other.Schema.FullName == Schema.FullName;

    /// <inheritdoc />
    public override bool Equals(object? obj) => Equals(obj as GenericEnum);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(Schema.FullName, Symbol);

    /// <inheritdoc />
    public override string ToString() => Symbol;
}
