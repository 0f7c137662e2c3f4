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
    // One instance per schema, so that a sink finds its source's layout by reference, not by comparing schemas per record.
    private static readonly System.Collections.Concurrent.ConcurrentDictionary<string, AvroDatumLayout> Interned = new(StringComparer.Ordinal);

    /// <summary>
    /// The layout of a flat record schema whose unions have at most one branch besides null, or <see langword="null"/>:
    /// in a union of two branches that take the same JSON (int and long, string and bytes) encoding the record's JSON
    /// could pick another branch than the datum has, so those datums are encoded again rather than copied.
    /// </summary>
    public static AvroDatumLayout? TryCreate(AvroSchema schema) =>
        schema is RecordSchema record
        && record.Fields.All(f => f.Schema is not UnionSchema union || union.Branches.Count(b => b.Type != AvroType.Null) <= 1)
            ? Of(schema.ToJson())
            : null;

    /// <remarks>At most 1,000 schemas are kept: past them, equal layouts are found by value.</remarks>
    private static AvroDatumLayout Of(string json) =>
        Interned.TryGetValue(json, out var layout) ? layout
        : Interned.Count < 1_000 ? Interned.GetOrAdd(json, key => new AvroDatumLayout(key))
        : new AvroDatumLayout(json);
}
