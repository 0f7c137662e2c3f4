namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>An array schema.</summary>
public sealed class ArraySchema : AvroSchema
{
    internal ArraySchema(AvroSchema items)
        : base(AvroType.Array)
    {
        Items = items;
    }

    /// <summary>Gets the schema of the items.</summary>
    public AvroSchema Items { get; }
}
