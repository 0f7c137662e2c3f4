using System.Buffers;
using Confluent.SchemaRegistry;
using DataWeaver.Serialization.Protobuf.Serializers;
using DataWeaver.Serialization.SchemaRegistry.Internal;
using Google.Protobuf;

namespace DataWeaver.Serialization.SchemaRegistry.Protobuf;

/// <summary>
/// Decodes Confluent's Protobuf wire format into <typeparamref name="T"/>: checks once per id that the registry knows the
/// id as a Protobuf schema, then reads the message indexes and the message. Bad framing, an unknown id or an id of another
/// schema type raises <see cref="DeserializationException"/> naming the byte or the id. Thread-safe.
/// </summary>
/// <typeparam name="T">The generated message type.</typeparam>
public sealed class RegistryProtobufDeserializer<T> : IRecordDeserializer<T>
    where T : IMessage<T>, new()
{
    private readonly KnownIds _known;
    private readonly ProtobufDeserializer<T> _inner;

    /// <summary>Creates the deserializer.</summary>
    /// <param name="client">The registry client; not disposed by the deserializer.</param>
    /// <param name="options">The options (only <see cref="RegistryProtobufOptions.MaxRecordSize"/> applies); <see langword="null"/> for the defaults.</param>
    public RegistryProtobufDeserializer(ISchemaRegistryClient client, RegistryProtobufOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _known = new KnownIds(client, SchemaType.Protobuf, "protobuf");
        _inner = new ProtobufDeserializer<T>(new ProtobufSerializerOptions { Framing = ProtobufFraming.Confluent, MaxRecordSize = (options ?? new RegistryProtobufOptions()).MaxRecordSize });
    }

    /// <inheritdoc />
    public string Format => "protobuf";

    /// <summary>Checks an id with the registry ahead of the records that use it.</summary>
    /// <param name="schemaId">The id.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the id is known to be a Protobuf schema.</returns>
    /// <exception cref="DeserializationException">The registry does not know the id, or it is not a Protobuf schema.</exception>
    public Task PrefetchAsync(int schemaId, CancellationToken cancellationToken = default) => _known.CheckAsync(schemaId, cancellationToken);

    /// <inheritdoc />
    public T Deserialize(ReadOnlySpan<byte> data)
    {
        _known.Check(RegisteredIds.ReadSchemaId(data, "protobuf"));
        return _inner.Deserialize(data);
    }

    /// <inheritdoc />
    public T Deserialize(in ReadOnlySequence<byte> data)
    {
        _known.Check(RegisteredIds.ReadSchemaId(data, "protobuf"));
        return _inner.Deserialize(data);
    }
}
