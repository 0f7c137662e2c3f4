namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>A primitive schema (<c>null</c>, <c>boolean</c>, <c>int</c>, <c>long</c>, <c>float</c>, <c>double</c>, <c>bytes</c>, <c>string</c>), possibly with a logical type.</summary>
public sealed class PrimitiveSchema : AvroSchema
{
    internal PrimitiveSchema(AvroType type, AvroLogicalType logicalType = AvroLogicalType.None, int precision = 0, int scale = 0)
        : base(type, logicalType, precision, scale)
    {
    }
}
