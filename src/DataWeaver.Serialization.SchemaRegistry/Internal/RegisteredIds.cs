using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using Confluent.SchemaRegistry;
using DataWeaver.Errors;
using DataWeaver.Serialization.SchemaRegistry.Avro;

namespace DataWeaver.Serialization.SchemaRegistry.Internal;

/// <summary>The registry work shared by the JSON and Protobuf serializers: resolving the writer's id, checking a reader's ids.</summary>
internal static class RegisteredIds
{
    public const int HeaderSize = 5;

    /// <summary>The id a serializer writes, from <see cref="RegistrySubjectOptions.IdSource"/>.</summary>
    public static async Task<int> ResolveAsync(ISchemaRegistryClient client, string subject, RegistrySubjectOptions options, Confluent.SchemaRegistry.Schema schema, Func<string, bool> sameSchema)
    {
        var kind = schema.SchemaType;
        try
        {
            switch (options.IdSource)
            {
                case SchemaIdSource.Lookup:
                    return (await client.LookupSchemaAsync(subject, schema, ignoreDeletedSchemas: true, options.NormalizeSchemas).ConfigureAwait(false)).Id;
                case SchemaIdSource.Latest:
                    var latest = await client.GetLatestSchemaAsync(subject).ConfigureAwait(false);
                    return latest.SchemaType == kind
                        ? latest.Id
                        : throw new DataWeaverException(ErrorClass.Fatal, $"Schema registry: the latest schema of subject '{subject}' (id {latest.Id}) is a {latest.SchemaType} schema, not {kind}.");
                case SchemaIdSource.Explicit:
                    var id = options.SchemaId!.Value;
                    var registered = await client.GetSchemaAsync(id).ConfigureAwait(false);
                    if (registered.SchemaType != kind || !sameSchema(registered.SchemaString))
                    {
                        throw new DataWeaverException(ErrorClass.Fatal, $"Schema registry: schema id {id} is not the serializer's {kind} schema (it is a {registered.SchemaType} schema{(registered.SchemaType == kind ? " with other content" : string.Empty)}).");
                    }

                    return id;
                default:
                    return await client.RegisterSchemaAsync(subject, schema, options.NormalizeSchemas).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not DataWeaverException)
        {
            RegistryErrors.Throw($"resolving the schema id of subject '{subject}' ({options.IdSource})", ex);
            throw;
        }
    }

    /// <summary>Reads and checks the magic byte and the schema id.</summary>
    public static int ReadSchemaId(ReadOnlySpan<byte> data, string format)
    {
        if (data.Length < HeaderSize)
        {
            throw new DeserializationException(format, data.Length, $"truncated Confluent header: {data.Length} of {HeaderSize} bytes");
        }

        if (data[0] != 0)
        {
            throw new DeserializationException(format, 0, $"wrong Confluent magic byte 0x{data[0]:X2} (expected 0x00)");
        }

        return BinaryPrimitives.ReadInt32BigEndian(data[1..]);
    }

    /// <summary>Reads the schema id of framed bytes that may span segments.</summary>
    public static int ReadSchemaId(in ReadOnlySequence<byte> data, string format)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        var length = (int)Math.Min(data.Length, HeaderSize);
        data.Slice(0, length).CopyTo(header);
        return ReadSchemaId(header[..length], format);
    }
}

/// <summary>Checks, once per id, that the registry knows an id as a schema of one type.</summary>
internal sealed class KnownIds(ISchemaRegistryClient client, SchemaType kind, string format)
{
    private readonly ConcurrentDictionary<int, bool> _known = new();

    public void Check(int id)
    {
        if (!_known.ContainsKey(id))
        {
            CheckAsync(id, CancellationToken.None).GetAwaiter().GetResult();
        }
    }

    public async Task CheckAsync(int id, CancellationToken cancellationToken)
    {
        if (_known.ContainsKey(id))
        {
            return;
        }

        cancellationToken.ThrowIfCancellationRequested();
        Confluent.SchemaRegistry.Schema registered;
        try
        {
            registered = await client.GetSchemaAsync(id).ConfigureAwait(false);
        }
        catch (Exception ex) when (RegistryErrors.IsNotFound(ex))
        {
            throw new DeserializationException(format, 1, $"schema id {id} is not in the registry", ex);
        }
        catch (Exception ex) when (ex is not DataWeaverException)
        {
            RegistryErrors.Throw($"fetching schema id {id}", ex);
            throw;
        }

        if (registered.SchemaType != kind)
        {
            throw new DeserializationException(format, 1, $"schema id {id} is a {registered.SchemaType} schema, not {kind}");
        }

        _known.TryAdd(id, true);
    }
}
