using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Formats.Avro;

/// <summary>
/// What an Avro datum's bytes depend on besides its values: the schema it was written with. A datum read from a file of
/// a flat schema (<see cref="AvroFlatRecordCodec"/>) is written as it is by a sink of the same schema
/// (<see cref="Configuration.Formats.RecordWithOriginal"/>): the Avro binary encoding of a flat record is the same bytes
/// for the same values, as any conforming writer writes them.
/// </summary>
/// <param name="SchemaJson">The schema, as JSON.</param>
internal sealed record AvroDatumLayout(string SchemaJson)
{
    /// <summary>
    /// The layout of a flat record schema whose unions have at most one branch besides null, or <see langword="null"/>:
    /// in a union of two branches that take the same JSON (int and long, string and bytes) encoding the record's JSON
    /// could pick another branch than the datum has, so those datums are encoded again rather than copied.
    /// </summary>
    public static AvroDatumLayout? TryCreate(AvroSchema schema) =>
        schema is RecordSchema record
        && record.Fields.All(f => f.Schema is not UnionSchema union || union.Branches.Count(b => b.Type != AvroType.Null) <= 1)
            ? new AvroDatumLayout(schema.ToJson())
            : null;
}
