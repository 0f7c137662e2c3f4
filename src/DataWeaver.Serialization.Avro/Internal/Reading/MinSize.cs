using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Internal.Reading;

/// <summary>The smallest encoded size of a value of a schema, used to reject block counts the input cannot hold.</summary>
internal static class MinSize
{
    public static int Of(AvroSchema schema) => Of(schema, []);

    private static int Of(AvroSchema schema, HashSet<RecordSchema> visiting) => schema switch
    {
        { Type: AvroType.Null } => 0,
        { Type: AvroType.Float } => 4,
        { Type: AvroType.Double } => 8,
        FixedSchema f => f.Size,
        RecordSchema r => visiting.Add(r) ? r.Fields.Sum(f => Of(f.Schema, visiting)) : 0,
        _ => 1,
    };
}
