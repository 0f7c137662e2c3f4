using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Formats.Avro;

/// <summary>Options of the <c>avro</c> format. Immutable.</summary>
public sealed record AvroFormatOptions
{
    /// <summary>
    /// Gets the schema records are written with and read as. Reading a container file without one uses the file's own
    /// schema; with one, the file's records are resolved to it (Avro schema resolution).
    /// </summary>
    /// <value>The default is <see langword="null"/>: required for writing and for messages.</value>
    public AvroSchema? Schema { get; init; }

    /// <summary>Gets a value indicating whether messages carry the Confluent wire header (a zero byte and a 4-byte big-endian schema id).</summary>
    /// <value>The default is <see langword="false"/>: bare datums.</value>
    public bool ConfluentFraming { get; init; }

    /// <summary>Gets the schema id written in the Confluent header, and the only one accepted when reading.</summary>
    /// <value>The default is <see langword="null"/>: any id is read with <see cref="Schema"/>; writing needs one.</value>
    public int? SchemaId { get; init; }

    /// <summary>Gets the block codec of container files written.</summary>
    /// <value>The default is <see cref="AvroCodec.Null"/>.</value>
    public AvroCodec Codec { get; init; } = AvroCodec.Null;
}
