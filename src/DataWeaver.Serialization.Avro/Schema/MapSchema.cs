namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>A map schema; keys are strings.</summary>
public sealed class MapSchema : AvroSchema
{
    internal MapSchema(AvroSchema values)
        : base(AvroType.Map)
    {
        Values = values;
    }

    /// <summary>Gets the schema of the values.</summary>
    public AvroSchema Values { get; }
}
