using System.Buffers;
using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Nodes;
using Confluent.SchemaRegistry;
using DataWeaver.Errors;
using DataWeaver.Serialization.Json;
using DataWeaver.Serialization.SchemaRegistry.Internal;

namespace DataWeaver.Serialization.SchemaRegistry.Json;

/// <summary>
/// Encodes <typeparamref name="T"/> in the Confluent wire format for JSON (magic byte 0, the schema id big-endian, the
/// UTF-8 JSON document) with a JSON Schema id from a schema registry: registered on first use, looked up, the latest
/// version of the subject, or a given id (<see cref="RegistrySubjectOptions.IdSource"/>). The id is resolved once; call
/// <see cref="GetSchemaIdAsync"/> before the first record so that no record waits for the registry. The values are
/// <b>not</b> validated against the JSON Schema (Confluent's serializer validates them). Thread-safe.
/// </summary>
/// <typeparam name="T">The value type: <see cref="JsonRecord"/>, anything System.Text.Json serializes, or any type with a codec given to the constructor.</typeparam>
public sealed class RegistryJsonSerializer<T> : IRecordSerializer<T>
{
    private readonly IRecordSerializer<T> _codec;
    private readonly ResolveOnce<SchemaIdBox> _id;

    /// <summary>Creates the serializer.</summary>
    /// <param name="client">The registry client (e.g. from <see cref="Client.SchemaRegistryClients.Create"/>); not disposed by the serializer.</param>
    /// <param name="jsonSchema">The JSON Schema of the values, as registered (the text is sent unchanged).</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (which need <see cref="RegistrySubjectOptions.Topic"/>).</param>
    /// <param name="codec">Writes the JSON document after the header; <see langword="null"/> for <see cref="JsonRecordCodec"/> with
    /// <see cref="JsonRecord"/>, otherwise <see cref="JsonRecordSerializer{T}"/> with <see cref="JsonSerializerOptions.Web"/>.</param>
    /// <exception cref="SerializerConfigurationException">The schema is not JSON or the options are invalid; the message lists every problem.</exception>
    public RegistryJsonSerializer(ISchemaRegistryClient client, string jsonSchema, RegistryJsonOptions? options = null, IRecordSerializer<T>? codec = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(jsonSchema);
        options ??= new RegistryJsonOptions();
        var problems = new List<string>();
        string? title = null;
        try
        {
            title = JsonNode.Parse(jsonSchema) is JsonObject o && o["title"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
        }
        catch (JsonException ex)
        {
            problems.Add($"The JSON Schema is not valid JSON ({ex.Message}).");
        }

        problems.AddRange(options.Validate(title));
        if (problems.Count > 0)
        {
            RegistryErrors.ThrowConfiguration(typeof(T).Name, problems, "json");
        }

        _codec = codec ?? (typeof(T) == typeof(JsonRecord) ? (IRecordSerializer<T>)(object)JsonRecordCodec.Default : new JsonRecordSerializer<T>());
        var subject = Subject = options.SubjectOf(title);
        var schema = new Confluent.SchemaRegistry.Schema(jsonSchema, SchemaType.Json);
        _id = new(async () => new SchemaIdBox(await RegisteredIds.ResolveAsync(client, subject, options, schema, registered => SameJson(registered, jsonSchema)).ConfigureAwait(false)));
    }

    /// <summary>Creates the serializer writing values with System.Text.Json and <paramref name="serializerOptions"/>, its
    /// <see cref="JsonSerializerOptions.Encoder"/> and <see cref="JsonSerializerOptions.WriteIndented"/> included (e.g.
    /// <see cref="System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/> leaves non-ASCII text unescaped, as Newtonsoft.Json and so
    /// Confluent's serializer do).</summary>
    /// <param name="client">The registry client; not disposed by the serializer.</param>
    /// <param name="jsonSchema">The JSON Schema of the values, as registered (the text is sent unchanged).</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults (which need <see cref="RegistrySubjectOptions.Topic"/>).</param>
    /// <param name="serializerOptions">The System.Text.Json options.</param>
    /// <exception cref="SerializerConfigurationException">The schema is not JSON or the options are invalid; the message lists every problem.</exception>
    public RegistryJsonSerializer(ISchemaRegistryClient client, string jsonSchema, RegistryJsonOptions? options, JsonSerializerOptions serializerOptions)
        : this(client, jsonSchema, options, new EncoderAwareJsonSerializer<T>(serializerOptions ?? throw new ArgumentNullException(nameof(serializerOptions))))
    {
    }

    /// <summary>Gets the registry subject of the schema.</summary>
    public string Subject { get; }

    /// <inheritdoc />
    public string Format => "json";

    /// <summary>Resolves the schema id (once; later calls return it at once).</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The schema id written with every record.</returns>
    /// <exception cref="DataWeaverException">The registry failed: transient for server errors, throttling and network failures; fatal otherwise
    /// (e.g. the subject has no such schema, or an explicit id names another schema).</exception>
    public async ValueTask<int> GetSchemaIdAsync(CancellationToken cancellationToken = default) => (await _id.GetAsync(cancellationToken).ConfigureAwait(false)).Id;

    /// <inheritdoc />
    /// <exception cref="DataWeaverException">The schema id could not be resolved (see <see cref="GetSchemaIdAsync"/>).</exception>
    public void Serialize(in T value, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var id = _id.Get().Id;
        var header = writer.GetSpan(RegisteredIds.HeaderSize);
        header[0] = 0;
        BinaryPrimitives.WriteInt32BigEndian(header[1..], id);
        writer.Advance(RegisteredIds.HeaderSize);
        _codec.Serialize(value, writer);
    }

    private static bool SameJson(string a, string b)
    {
        try
        {
            return JsonNode.DeepEquals(JsonNode.Parse(a), JsonNode.Parse(b));
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
