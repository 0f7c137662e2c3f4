namespace DataWeaver.Serialization.SchemaRegistry.Json;

/// <summary>Options of <see cref="RegistryJsonSerializer{T}"/> (subject and schema id settings; the record name of the
/// <c>Record</c> and <c>TopicRecord</c> strategies is the schema's <c>title</c>); copied when it is created.</summary>
public sealed record RegistryJsonOptions : RegistrySubjectOptions;
