using System.Buffers;
using Confluent.SchemaRegistry;
using DataWeaver.Errors;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;
using DataWeaver.Serialization.SchemaRegistry.Internal;

namespace DataWeaver.Serialization.SchemaRegistry.Avro;

/// <summary>
/// Encodes <typeparamref name="T"/> in the Confluent wire format (magic byte 0, the schema id big-endian, the Avro
/// datum) with DataWeaver's Avro codec and a schema id from a schema registry: registered on first use, looked up, the
/// latest version of the subject, or a given id (<see cref="RegistrySubjectOptions.IdSource"/>). The id is resolved once;
/// call <see cref="GetSchemaIdAsync"/> before the first record so that no record waits for the registry (otherwise the
/// first <see cref="Serialize"/> waits for it once). Thread-safe.
/// </summary>
/// <typeparam name="T">The value type: anything <see cref="AvroSerializer{T}"/> takes, or any type with a codec given to the constructor
/// (e.g. Apache.Avro records with <c>ApacheAvroSerializer&lt;T&gt;</c>).</typeparam>
public sealed class RegistryAvroSerializer<T> : IRecordSerializer<T>
{
    private readonly ISchemaRegistryClient _client;
    private readonly AvroSchema _schema;
    private readonly RegistryAvroOptions _options;
    private readonly Func<AvroSchema, AvroSerializerOptions, IRecordSerializer<T>> _codec;
    private readonly Lock _gate = new();
    private Task<Resolved>? _pending;
    private volatile Resolved? _resolved;

    /// <summary>Creates the serializer.</summary>
    /// <param name="client">The registry client (e.g. from <see cref="Client.SchemaRegistryClients.Create"/>); not disposed by the serializer.</param>
    /// <param name="schema">The schema of the values.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (which need <see cref="RegistrySubjectOptions.Topic"/>).</param>
    /// <param name="codec">Makes the serializer that writes the bytes from a writer schema and options with Confluent framing and the
    /// id; <see langword="null"/> for DataWeaver's <see cref="AvroSerializer{T}"/>.</param>
    /// <exception cref="SerializerConfigurationException">The options are invalid; the message lists every problem.</exception>
    public RegistryAvroSerializer(ISchemaRegistryClient client, AvroSchema schema, RegistryAvroOptions? options = null, Func<AvroSchema, AvroSerializerOptions, IRecordSerializer<T>>? codec = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(schema);
        _client = client;
        _schema = schema;
        _options = options ?? new RegistryAvroOptions();
        var problems = _options.Validate(schema);
        if (problems.Count > 0)
        {
            RegistryErrors.ThrowConfiguration(typeof(T).Name, problems);
        }

        _codec = codec ?? ((s, o) => new AvroSerializer<T>(s, o));
        Subject = _options.SubjectOf(schema);
    }

    /// <summary>Gets the registry subject of the schema.</summary>
    public string Subject { get; }

    /// <inheritdoc />
    public string Format => "avro";

    /// <summary>Resolves the schema id (once; later calls return it at once).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The schema id written with every record.</returns>
    /// <exception cref="DataWeaverException">The registry failed: transient for server errors, throttling and network failures; fatal otherwise
    /// (e.g. the subject has no such schema, or an explicit id names another schema).</exception>
    public async ValueTask<int> GetSchemaIdAsync(CancellationToken cancellationToken = default)
    {
        if (_resolved is { } done)
        {
            return done.Id;
        }

        Task<Resolved> pending;
        lock (_gate)
        {
            // A failed resolution is not kept: the next call asks the registry again.
            pending = _pending is { IsFaulted: false, IsCanceled: false } p ? p : _pending = ResolveOnceAsync();
        }

        return (await pending.WaitAsync(cancellationToken).ConfigureAwait(false)).Id;
    }

    /// <inheritdoc />
    /// <exception cref="DataWeaverException">The schema id could not be resolved (see <see cref="GetSchemaIdAsync"/>).</exception>
    public void Serialize(in T value, IBufferWriter<byte> writer)
    {
        var resolved = _resolved;
        if (resolved is null)
        {
            GetSchemaIdAsync().AsTask().GetAwaiter().GetResult();
            resolved = _resolved!;
        }

        resolved.Serializer.Serialize(value, writer);
    }

    private async Task<Resolved> ResolveOnceAsync()
    {
        var (id, writerSchema) = await ResolveAsync().ConfigureAwait(false);
        var resolved = new Resolved(id, _codec(writerSchema, new AvroSerializerOptions { Framing = AvroFraming.Confluent, SchemaId = id, MaxRecordSize = _options.MaxRecordSize }));
        _resolved = resolved;
        return resolved;
    }

    private async Task<(int Id, AvroSchema Writer)> ResolveAsync()
    {
        var json = _schema.ToJson();
        try
        {
            switch (_options.IdSource)
            {
                case SchemaIdSource.Lookup:
                    var found = await _client.LookupSchemaAsync(Subject, new Confluent.SchemaRegistry.Schema(json, SchemaType.Avro), ignoreDeletedSchemas: true, _options.NormalizeSchemas).ConfigureAwait(false);
                    return (found.Id, _schema);
                case SchemaIdSource.Latest:
                    var latest = await _client.GetLatestSchemaAsync(Subject).ConfigureAwait(false);
                    return (latest.Id, Parse(latest.SchemaString, $"the latest schema of subject '{Subject}'"));
                case SchemaIdSource.Explicit:
                    var id = _options.SchemaId!.Value;
                    var registered = await _client.GetSchemaAsync(id).ConfigureAwait(false);
                    var parsed = Parse(registered.SchemaString, $"schema id {id}");
                    if (parsed.CanonicalForm != _schema.CanonicalForm)
                    {
                        throw new DataWeaverException(ErrorClass.Fatal, $"Schema registry: schema id {id} is not the serializer's schema ({parsed.DisplayName}, fingerprint 0x{parsed.Fingerprint:X16}, not 0x{_schema.Fingerprint:X16}).");
                    }

                    return (id, _schema);
                default:
                    var registeredId = await _client.RegisterSchemaAsync(Subject, new Confluent.SchemaRegistry.Schema(json, SchemaType.Avro), _options.NormalizeSchemas).ConfigureAwait(false);
                    return (registeredId, _schema);
            }
        }
        catch (Exception ex) when (ex is not DataWeaverException)
        {
            RegistryErrors.Throw($"resolving the schema id of subject '{Subject}' ({_options.IdSource})", ex);
            throw;
        }
    }

    private static AvroSchema Parse(string json, string what)
    {
        try
        {
            return AvroSchema.Parse(json);
        }
        catch (AvroSchemaException ex)
        {
            throw new DataWeaverException(ErrorClass.Fatal, $"Schema registry: {what} is not a valid Avro schema: {ex.Message}", ex);
        }
    }

    private sealed record Resolved(int Id, IRecordSerializer<T> Serializer);
}
