using System.Buffers;
using Confluent.SchemaRegistry;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;
using DataWeaver.Serialization.SchemaRegistry.Internal;

namespace DataWeaver.Serialization.SchemaRegistry.Json;

/// <summary>
/// Decodes the Confluent wire format for JSON: checks the header (magic byte 0, then the schema id), checks once per id
/// that the registry knows the id as a JSON Schema, then reads the UTF-8 JSON document after the header with the codec.
/// The documents are <b>not</b> validated against the JSON Schema. The first record of a new id waits for the registry
/// once. Thread-safe. Bad framing, an id the registry does not know, or a non-JSON schema raises
/// <see cref="DeserializationException"/> (a data error) naming the byte or the id; a registry that fails otherwise
/// raises a transient or fatal <see cref="DataWeaverException"/>.
/// </summary>
/// <typeparam name="T">The value type: <see cref="JsonRecord"/>, anything System.Text.Json deserializes, or any type with a codec given to the constructor.</typeparam>
public sealed class RegistryJsonDeserializer<T> : IRecordDeserializer<T>
{
    private readonly IRecordDeserializer<T> _codec;
    private readonly KnownIds _known;

    /// <summary>Creates the deserializer.</summary>
    /// <param name="client">The registry client; not disposed by the deserializer.</param>
    /// <param name="codec">Reads the JSON document after the header; <see langword="null"/> for <see cref="JsonRecordCodec"/> with
    /// <see cref="JsonRecord"/>, otherwise <see cref="JsonRecordDeserializer{T}"/> with <see cref="System.Text.Json.JsonSerializerOptions.Web"/>.</param>
    public RegistryJsonDeserializer(ISchemaRegistryClient client, IRecordDeserializer<T>? codec = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _known = new KnownIds(client, SchemaType.Json, "json");
        _codec = codec ?? (typeof(T) == typeof(JsonRecord) ? (IRecordDeserializer<T>)(object)JsonRecordCodec.Default : new JsonRecordDeserializer<T>());
    }

    /// <inheritdoc />
    public string Format => "json";

    /// <summary>Checks an id with the registry ahead of the records that use it.</summary>
    /// <param name="schemaId">The id.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the id is known to be a JSON Schema.</returns>
    /// <exception cref="DeserializationException">The registry does not know the id, or it is not a JSON Schema.</exception>
    public Task PrefetchAsync(int schemaId, CancellationToken cancellationToken = default) => _known.CheckAsync(schemaId, cancellationToken);

    /// <inheritdoc />
    public T Deserialize(ReadOnlySpan<byte> data)
    {
        _known.Check(RegisteredIds.ReadSchemaId(data, "json"));
        return _codec.Deserialize(data[RegisteredIds.HeaderSize..]);
    }

    /// <inheritdoc />
    public T Deserialize(in ReadOnlySequence<byte> data)
    {
        _known.Check(RegisteredIds.ReadSchemaId(data, "json"));
        return _codec.Deserialize(data.Slice(RegisteredIds.HeaderSize));
    }
}
