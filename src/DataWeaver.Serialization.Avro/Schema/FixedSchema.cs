namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>A fixed schema: a named, fixed number of bytes, possibly with the <c>decimal</c> logical type.</summary>
public sealed class FixedSchema : NamedSchema
{
    internal FixedSchema(string name, string? ns, IReadOnlyList<string> aliases, string? doc, int size, AvroLogicalType logicalType, int precision, int scale)
        : base(AvroType.Fixed, name, ns, aliases, doc, logicalType, precision, scale)
    {
        Size = size;
    }

    /// <summary>Gets the number of bytes of every value.</summary>
    public int Size { get; }
}
