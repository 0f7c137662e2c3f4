using DataWeaver.Serialization.SchemaRegistry.Avro;

namespace DataWeaver.Serialization.SchemaRegistry;

/// <summary>The subject and schema id settings of the registry serializers (Avro, JSON, Protobuf); copied when they are created.</summary>
public abstract record RegistrySubjectOptions
{
    /// <summary>Gets the topic the records go to; required by <see cref="SubjectNameStrategy.Topic"/> and <see cref="SubjectNameStrategy.TopicRecord"/>.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Topic { get; init; }

    /// <summary>Gets whether the serializer encodes message keys (subject <c>{topic}-key</c>) rather than values (<c>{topic}-value</c>).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool IsKey { get; init; }

    /// <summary>Gets how the subject is named (the record name is the Avro schema's full name, the JSON Schema's <c>title</c>, or the Protobuf message's full name, as in Confluent's serializers).</summary>
    /// <value>The default is <see cref="SubjectNameStrategy.Topic"/>.</value>
    public SubjectNameStrategy SubjectNameStrategy { get; init; } = SubjectNameStrategy.Topic;

    /// <summary>Gets where the serializer's schema id comes from.</summary>
    /// <value>The default is <see cref="SchemaIdSource.Register"/>.</value>
    public SchemaIdSource IdSource { get; init; } = SchemaIdSource.Register;

    /// <summary>Gets the schema id written with <see cref="SchemaIdSource.Explicit"/>.</summary>
    /// <value>The default is <see langword="null"/>; 0 or more, required with <see cref="SchemaIdSource.Explicit"/>.</value>
    public int? SchemaId { get; init; }

    /// <summary>Gets whether the registry normalizes the schema when registering or looking it up.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool NormalizeSchemas { get; init; }

    /// <summary>Lists every problem of these options for a serializer whose record is named <paramref name="recordName"/>, naming the setting; empty when valid.</summary>
    /// <param name="recordName">The record name (JSON Schema <c>title</c>, Protobuf message full name); <see langword="null"/> when there is none.</param>
    /// <returns>The problems.</returns>
    public virtual IReadOnlyList<string> Validate(string? recordName)
    {
        var problems = new List<string>();
        if (SubjectNameStrategy is SubjectNameStrategy.Topic or SubjectNameStrategy.TopicRecord && string.IsNullOrEmpty(Topic))
        {
            problems.Add($"Topic is required with subject name strategy {SubjectNameStrategy}.");
        }

        if (SubjectNameStrategy is SubjectNameStrategy.Record or SubjectNameStrategy.TopicRecord && string.IsNullOrEmpty(recordName))
        {
            problems.Add($"Subject name strategy {SubjectNameStrategy} needs a JSON Schema with a \"title\" (the record name).");
        }

        if (IdSource == SchemaIdSource.Explicit && SchemaId is null)
        {
            problems.Add("SchemaId is required with IdSource Explicit.");
        }

        if (SchemaId is < 0)
        {
            problems.Add("SchemaId must be 0 or more.");
        }

        return problems;
    }

    /// <summary>The subject of a record named <paramref name="recordName"/> under these options.</summary>
    /// <param name="recordName">The record name.</param>
    /// <returns>The subject name.</returns>
    public string SubjectOf(string? recordName) => SubjectNameStrategy switch
    {
        SubjectNameStrategy.Record => recordName ?? string.Empty,
        SubjectNameStrategy.TopicRecord => Topic + "-" + recordName,
        _ => Topic + (IsKey ? "-key" : "-value"),
    };
}
