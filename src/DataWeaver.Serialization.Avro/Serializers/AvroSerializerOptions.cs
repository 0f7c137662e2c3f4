using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Serializers;

/// <summary>Options of <see cref="AvroSerializer{T}"/> and <see cref="AvroDeserializer{T}"/>; copied when they are created.</summary>
public sealed class AvroSerializerOptions
{
    /// <summary>Gets the framing of each record.</summary>
    /// <value>The default is <see cref="AvroFraming.None"/>.</value>
    public AvroFraming Framing { get; init; } = AvroFraming.None;

    /// <summary>Gets the registry id written with <see cref="AvroFraming.Confluent"/>.</summary>
    /// <value>The default is 0.</value>
    public int SchemaId { get; init; }

    /// <summary>Gets the largest encoded record accepted, framing included, when writing and when reading.</summary>
    /// <value>The default is 1 MiB; the range is 16 bytes to 1 GiB.</value>
    public int MaxRecordSize { get; init; } = 1024 * 1024;

    /// <summary>Gets the deepest nesting of records, arrays and maps accepted when reading.</summary>
    /// <value>The default is 64; the range is 1 to 1000.</value>
    public int MaxDepth { get; init; } = 64;

    /// <summary>Gets the schema records are read as; <see langword="null"/> reads as the writer schema.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public AvroSchema? ReaderSchema { get; init; }

    /// <summary>Gets how the deserializer finds a writer schema other than its own by fingerprint (single-object) or id (Confluent); <see langword="null"/> accepts only its own schema.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public Func<long, AvroSchema?>? SchemaLookup { get; init; }

    internal AvroSerializerOptions Validate()
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxRecordSize, 16, nameof(MaxRecordSize));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxRecordSize, 1 << 30, nameof(MaxRecordSize));
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxDepth, 1, nameof(MaxDepth));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(MaxDepth, 1000, nameof(MaxDepth));
        return new AvroSerializerOptions
        {
            Framing = Framing,
            SchemaId = SchemaId,
            MaxRecordSize = MaxRecordSize,
            MaxDepth = MaxDepth,
            ReaderSchema = ReaderSchema,
            SchemaLookup = SchemaLookup,
        };
    }
}
