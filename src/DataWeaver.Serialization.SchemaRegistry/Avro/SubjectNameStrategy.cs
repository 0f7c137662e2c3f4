namespace DataWeaver.Serialization.SchemaRegistry.Avro;

/// <summary>How the registry subject of a schema is named (the same names as Confluent's serializers).</summary>
public enum SubjectNameStrategy
{
    /// <summary><c>{topic}-key</c> or <c>{topic}-value</c>: one schema (and its versions) per topic.</summary>
    Topic,

    /// <summary>The record's full name: one schema per record type, across topics.</summary>
    Record,

    /// <summary><c>{topic}-{record full name}</c>: several record types per topic.</summary>
    TopicRecord,
}
