using System.Buffers;
using System.Collections.Concurrent;
using Confluent.SchemaRegistry;
using DataWeaver.Errors;
using DataWeaver.Serialization.Avro.Framing;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;
using DataWeaver.Serialization.SchemaRegistry.Internal;

namespace DataWeaver.Serialization.SchemaRegistry.Avro;

/// <summary>
/// Decodes the Confluent wire format with DataWeaver's Avro codec: the writer schema of each record is fetched from the
/// registry by the id in its header, once per id, and read as <see cref="RegistryAvroOptions.ReaderSchema"/> (or as
/// itself). The first record of a new id waits for the registry once. Thread-safe. Bad framing or an id the registry
/// does not know raises <see cref="DeserializationException"/> (a data error); a registry that fails otherwise raises a
/// transient or fatal <see cref="DataWeaverException"/>.
/// </summary>
/// <typeparam name="T">The value type: anything <see cref="AvroDeserializer{T}"/> returns, or any type with a codec given to the constructor.</typeparam>
public sealed class RegistryAvroDeserializer<T> : IRecordDeserializer<T>
{
    private readonly ISchemaRegistryClient _client;
    private readonly RegistryAvroOptions _options;
    private readonly Func<AvroSchema, AvroSerializerOptions, IRecordDeserializer<T>> _codec;
    private readonly ConcurrentDictionary<int, IRecordDeserializer<T>> _byId = new();

    /// <summary>Creates the deserializer.</summary>
    /// <param name="client">The registry client; not disposed by the deserializer.</param>
    /// <param name="options">The options (<see cref="RegistryAvroOptions.ReaderSchema"/>, <see cref="RegistryAvroOptions.MaxRecordSize"/>); <see langword="null"/> for the defaults.</param>
    /// <param name="codec">Makes the deserializer of one writer schema from it and options with Confluent framing and the id;
    /// <see langword="null"/> for DataWeaver's <see cref="AvroDeserializer{T}"/>.</param>
    /// <exception cref="SerializerConfigurationException">The options are invalid.</exception>
    public RegistryAvroDeserializer(ISchemaRegistryClient client, RegistryAvroOptions? options = null, Func<AvroSchema, AvroSerializerOptions, IRecordDeserializer<T>>? codec = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new RegistryAvroOptions();
        var problems = _options.Validate(null);
        if (problems.Count > 0)
        {
            RegistryErrors.ThrowConfiguration(typeof(T).Name, problems);
        }

        _codec = codec ?? ((s, o) => new AvroDeserializer<T>(s, o));
    }

    /// <inheritdoc />
    public string Format => "avro";

    /// <summary>Fetches the writer schema of an id ahead of the records that use it.</summary>
    /// <param name="schemaId">The id.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the id's deserializer is ready.</returns>
    public async Task PrefetchAsync(int schemaId, CancellationToken cancellationToken = default)
    {
        if (!_byId.ContainsKey(schemaId))
        {
            _byId.TryAdd(schemaId, await CreateAsync(schemaId, cancellationToken).ConfigureAwait(false));
        }
    }

    /// <inheritdoc />
    public T Deserialize(ReadOnlySpan<byte> data)
    {
        var id = ConfluentWireFormat.ReadSchemaId(data);
        if (!_byId.TryGetValue(id, out var inner))
        {
            inner = _byId.GetOrAdd(id, CreateAsync(id, CancellationToken.None).GetAwaiter().GetResult());
        }

        return inner.Deserialize(data);
    }

    /// <inheritdoc />
    public T Deserialize(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Deserialize(data.FirstSpan);
        }

        Span<byte> header = stackalloc byte[ConfluentWireFormat.HeaderSize];
        var id = ConfluentWireFormat.ReadSchemaId(data.Length >= header.Length ? CopyHeader(data, header) : data.ToArray());
        if (!_byId.TryGetValue(id, out var inner))
        {
            inner = _byId.GetOrAdd(id, CreateAsync(id, CancellationToken.None).GetAwaiter().GetResult());
        }

        return inner.Deserialize(data);
    }

    private static ReadOnlySpan<byte> CopyHeader(in ReadOnlySequence<byte> data, Span<byte> header)
    {
        data.Slice(0, header.Length).CopyTo(header);
        return header;
    }

    private async Task<IRecordDeserializer<T>> CreateAsync(int id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Confluent.SchemaRegistry.Schema registered;
        try
        {
            registered = await _client.GetSchemaAsync(id).ConfigureAwait(false);
        }
        catch (Exception ex) when (RegistryErrors.IsNotFound(ex))
        {
            throw new DeserializationException("avro", 1, $"schema id {id} is not in the registry", ex);
        }
        catch (Exception ex) when (ex is not DataWeaverException)
        {
            RegistryErrors.Throw($"fetching schema id {id}", ex);
            throw;
        }

        if (registered.SchemaType != SchemaType.Avro)
        {
            throw new DeserializationException("avro", 1, $"schema id {id} is a {registered.SchemaType} schema, not Avro");
        }

        AvroSchema writer;
        try
        {
            writer = AvroSchema.Parse(registered.SchemaString);
        }
        catch (AvroSchemaException ex)
        {
            throw new DeserializationException("avro", 1, $"schema id {id} is not a valid Avro schema: {ex.Problem}", ex);
        }

        try
        {
            return _codec(writer, new AvroSerializerOptions { Framing = AvroFraming.Confluent, SchemaId = id, ReaderSchema = _options.ReaderSchema, MaxRecordSize = _options.MaxRecordSize });
        }
        catch (AvroSchemaException ex)
        {
            throw new DeserializationException("avro", 1, $"the writer schema of id {id} cannot be read as the reader schema: {ex.Problem}", ex);
        }
    }
}
