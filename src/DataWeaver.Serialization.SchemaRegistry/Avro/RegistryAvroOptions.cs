using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.SchemaRegistry.Avro;

/// <summary>Options of <see cref="RegistryAvroSerializer{T}"/> and <see cref="RegistryAvroDeserializer{T}"/> (the record name of the
/// <c>Record</c> and <c>TopicRecord</c> strategies is the schema's full name); copied when they are created.</summary>
public sealed record RegistryAvroOptions : RegistrySubjectOptions
{
    /// <summary>Gets the schema records are read as by the deserializer; <see langword="null"/> reads each record as its writer schema.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public AvroSchema? ReaderSchema { get; init; }

    /// <summary>Gets the largest encoded record accepted, framing included.</summary>
    /// <value>The default is 1 MiB; the range is 16 bytes to 1 GiB.</value>
    public int MaxRecordSize { get; init; } = 1024 * 1024;

    /// <summary>Lists every problem of these options for a serializer of <paramref name="schema"/>, naming the setting; empty when valid.</summary>
    /// <param name="schema">The serializer's schema; <see langword="null"/> for a deserializer.</param>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate(AvroSchema? schema)
    {
        var problems = new List<string>();
        if (schema is not null && SubjectNameStrategy is SubjectNameStrategy.Topic or SubjectNameStrategy.TopicRecord && string.IsNullOrEmpty(Topic))
        {
            problems.Add($"Topic is required with subject name strategy {SubjectNameStrategy}.");
        }

        if (schema is not null && SubjectNameStrategy is SubjectNameStrategy.Record or SubjectNameStrategy.TopicRecord && schema is not NamedSchema)
        {
            problems.Add($"Subject name strategy {SubjectNameStrategy} needs a named schema (record, enum or fixed), not {schema.DisplayName}.");
        }

        if (schema is not null && IdSource == SchemaIdSource.Explicit && SchemaId is null)
        {
            problems.Add("SchemaId is required with IdSource Explicit.");
        }

        if (SchemaId is < 0)
        {
            problems.Add("SchemaId must be 0 or more.");
        }

        if (MaxRecordSize is < 16 or > 1 << 30)
        {
            problems.Add("MaxRecordSize must be 16 to 1073741824.");
        }

        return problems;
    }

    /// <summary>The subject of <paramref name="schema"/> under these options.</summary>
    /// <param name="schema">The schema.</param>
    /// <returns>The subject name.</returns>
    public string SubjectOf(AvroSchema schema)
    {
        ArgumentNullException.ThrowIfNull(schema);
        return SubjectNameStrategy switch
        {
            SubjectNameStrategy.Record => ((NamedSchema)schema).FullName,
            SubjectNameStrategy.TopicRecord => Topic + "-" + ((NamedSchema)schema).FullName,
            _ => Topic + (IsKey ? "-key" : "-value"),
        };
    }
}
