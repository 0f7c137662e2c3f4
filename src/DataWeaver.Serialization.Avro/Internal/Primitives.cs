using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal;

/// <summary>The shared instances of the plain primitive schemas.</summary>
internal static class Primitives
{
    private static readonly PrimitiveSchema[] All =
    [
        new(AvroType.Null), new(AvroType.Boolean), new(AvroType.Int), new(AvroType.Long),
        new(AvroType.Float), new(AvroType.Double), new(AvroType.Bytes), new(AvroType.String),
    ];

    public static PrimitiveSchema Get(AvroType type) => All[(int)type];
}
