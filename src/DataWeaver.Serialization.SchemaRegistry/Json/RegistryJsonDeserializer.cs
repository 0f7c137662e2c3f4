using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
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
    private const int HeaderSize = 5;

    private readonly ISchemaRegistryClient _client;
    private readonly IRecordDeserializer<T> _codec;
    private readonly ConcurrentDictionary<int, bool> _known = new();

    /// <summary>Creates the deserializer.</summary>
    /// <param name="client">The registry client; not disposed by the deserializer.</param>
    /// <param name="codec">Reads the JSON document after the header; <see langword="null"/> for <see cref="JsonRecordCodec"/> with
    /// <see cref="JsonRecord"/>, otherwise <see cref="JsonRecordDeserializer{T}"/> with <see cref="System.Text.Json.JsonSerializerOptions.Web"/>.</param>
    public RegistryJsonDeserializer(ISchemaRegistryClient client, IRecordDeserializer<T>? codec = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _codec = codec ?? (typeof(T) == typeof(JsonRecord) ? (IRecordDeserializer<T>)(object)JsonRecordCodec.Default : new JsonRecordDeserializer<T>());
    }

    /// <inheritdoc />
    public string Format => "json";

    /// <summary>Checks an id with the registry ahead of the records that use it.</summary>
    /// <param name="schemaId">The id.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>A task that completes when the id is known to be a JSON Schema.</returns>
    /// <exception cref="DeserializationException">The registry does not know the id, or it is not a JSON Schema.</exception>
    public async Task PrefetchAsync(int schemaId, CancellationToken cancellationToken = default)
    {
        if (!_known.ContainsKey(schemaId))
        {
            await CheckAsync(schemaId, cancellationToken).ConfigureAwait(false);
            _known.TryAdd(schemaId, true);
        }
    }

    /// <inheritdoc />
    public T Deserialize(ReadOnlySpan<byte> data)
    {
        Check(ReadSchemaId(data));
        return _codec.Deserialize(data[HeaderSize..]);
    }

    /// <inheritdoc />
    public T Deserialize(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Deserialize(data.FirstSpan);
        }

        Span<byte> header = stackalloc byte[HeaderSize];
        var length = (int)Math.Min(data.Length, HeaderSize);
        data.Slice(0, length).CopyTo(header);
        Check(ReadSchemaId(header[..length]));
        return _codec.Deserialize(data.Slice(HeaderSize));
    }

    /// <summary>Reads and checks the header.</summary>
    /// <param name="data">The framed bytes.</param>
    /// <returns>The schema id.</returns>
    /// <exception cref="DeserializationException">The data is shorter than the header or the magic byte is not 0.</exception>
    public static int ReadSchemaId(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize)
        {
            throw new DeserializationException("json", data.Length, $"truncated Confluent header: {data.Length} of {HeaderSize} bytes");
        }

        if (data[0] != 0)
        {
            throw new DeserializationException("json", 0, $"wrong Confluent magic byte 0x{data[0]:X2} (expected 0x00)");
        }

        return BinaryPrimitives.ReadInt32BigEndian(data[1..]);
    }

    private void Check(int id)
    {
        if (!_known.ContainsKey(id))
        {
            CheckAsync(id, CancellationToken.None).GetAwaiter().GetResult();
            _known.TryAdd(id, true);
        }
    }

    private async Task CheckAsync(int id, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        Confluent.SchemaRegistry.Schema registered;
        try
        {
            registered = await _client.GetSchemaAsync(id).ConfigureAwait(false);
        }
        catch (Exception ex) when (RegistryErrors.IsNotFound(ex))
        {
            throw new DeserializationException("json", 1, $"schema id {id} is not in the registry", ex);
        }
        catch (Exception ex) when (ex is not DataWeaverException)
        {
            RegistryErrors.Throw($"fetching schema id {id}", ex);
            throw;
        }

        if (registered.SchemaType != SchemaType.Json)
        {
            throw new DeserializationException("json", 1, $"schema id {id} is a {registered.SchemaType} schema, not JSON");
        }
    }
}
