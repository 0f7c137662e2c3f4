using DataWeaver.Serialization.SchemaRegistry.Avro;

namespace DataWeaver.Serialization.SchemaRegistry.Json;

/// <summary>Options of <see cref="RegistryJsonSerializer{T}"/>; copied when it is created.</summary>
public sealed record RegistryJsonOptions
{
    /// <summary>Gets the topic the records go to; required by <see cref="SubjectNameStrategy.Topic"/> and <see cref="SubjectNameStrategy.TopicRecord"/>.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Topic { get; init; }

    /// <summary>Gets whether the serializer encodes message keys (subject <c>{topic}-key</c>) rather than values (<c>{topic}-value</c>).</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool IsKey { get; init; }

    /// <summary>Gets how the subject is named; the record name of <see cref="SubjectNameStrategy.Record"/> and
    /// <see cref="SubjectNameStrategy.TopicRecord"/> is the schema's <c>title</c>, as in Confluent's JSON serializer.</summary>
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

    /// <summary>Lists every problem of these options for a serializer whose schema has the title <paramref name="title"/>, naming the setting; empty when valid.</summary>
    /// <param name="title">The schema's <c>title</c>; <see langword="null"/> when it has none.</param>
    /// <returns>The problems.</returns>
    public IReadOnlyList<string> Validate(string? title)
    {
        var problems = new List<string>();
        if (SubjectNameStrategy is SubjectNameStrategy.Topic or SubjectNameStrategy.TopicRecord && string.IsNullOrEmpty(Topic))
        {
            problems.Add($"Topic is required with subject name strategy {SubjectNameStrategy}.");
        }

        if (SubjectNameStrategy is SubjectNameStrategy.Record or SubjectNameStrategy.TopicRecord && string.IsNullOrEmpty(title))
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

    /// <summary>The subject of a schema with the title <paramref name="title"/> under these options.</summary>
    /// <param name="title">The schema's <c>title</c>.</param>
    /// <returns>The subject name.</returns>
    public string SubjectOf(string? title) => SubjectNameStrategy switch
    {
        SubjectNameStrategy.Record => title ?? string.Empty,
        SubjectNameStrategy.TopicRecord => Topic + "-" + title,
        _ => Topic + (IsKey ? "-key" : "-value"),
    };
}
