namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>A union schema; a value is encoded as the index of its branch followed by the value.</summary>
public sealed class UnionSchema : AvroSchema
{
    internal UnionSchema(IReadOnlyList<AvroSchema> branches)
        : base(AvroType.Union)
    {
        Branches = branches;
    }

    /// <summary>Gets the branches in order.</summary>
    public IReadOnlyList<AvroSchema> Branches { get; }
}
