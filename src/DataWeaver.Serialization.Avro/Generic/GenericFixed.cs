using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Generic;

/// <summary>A fixed value: exactly <see cref="FixedSchema.Size"/> bytes. When writing, a <see cref="byte"/>[] of the right length is accepted too.</summary>
public sealed class GenericFixed
{
    /// <summary>Creates a fixed value.</summary>
    /// <param name="schema">The fixed schema.</param>
    /// <param name="value">The bytes; the array is used, not copied, and its length must equal the schema size.</param>
    /// <exception cref="ArgumentException">The length does not match the schema size.</exception>
    public GenericFixed(FixedSchema schema, byte[] value)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(value);
        if (value.Length != schema.Size)
        {
            throw new ArgumentException($"Fixed '{schema.FullName}' holds {schema.Size} bytes, not {value.Length}.", nameof(value));
        }

        Schema = schema;
        Value = value;
    }

    /// <summary>Gets the fixed schema.</summary>
    public FixedSchema Schema { get; }

    /// <summary>Gets the bytes.</summary>
    public byte[] Value { get; }

    /// <inheritdoc />
    public override string ToString() => Convert.ToHexString(Value);
}
