using System.Collections.Concurrent;
using System.Globalization;
using Confluent.SchemaRegistry;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.SchemaRegistry.Avro;
using SubjectNameStrategy = DataWeaver.Serialization.SchemaRegistry.Avro.SubjectNameStrategy;

namespace DataWeaver.Serialization.SchemaRegistry.Registry;

/// <summary>
/// The <c>avro-registry</c> format: <see cref="RegistryAvroSerializer{T}"/> and <see cref="RegistryAvroDeserializer{T}"/> over
/// one registry client, configured by settings (keys compared ignoring case):
/// <c>schema</c> (the writer schema as JSON or a file path; required by serializers), <c>readerSchema</c>, <c>topic</c>,
/// <c>key</c> (<c>true</c>/<c>false</c>), <c>subjectNameStrategy</c> (<c>topic</c>, <c>record</c>, <c>topic-record</c>),
/// <c>idSource</c> (<c>register</c>, <c>lookup</c>, <c>latest</c>, <c>explicit</c>), <c>schemaId</c>, <c>normalize</c>
/// and <c>maxRecordSize</c>, with the defaults of <see cref="RegistryAvroOptions"/>. Every problem is listed in one
/// <see cref="SerializerConfigurationException"/>.
/// </summary>
public sealed class RegistryAvroSerializerFactory : ISerializerFactory
{
    /// <summary>The format name, <c>avro-registry</c>.</summary>
    public const string FormatName = "avro-registry";

    private static readonly string[] Known = ["schema", "readerSchema", "topic", "key", "subjectNameStrategy", "idSource", "schemaId", "normalize", "maxRecordSize"];

    private readonly ISchemaRegistryClient _client;
    private readonly ConcurrentDictionary<string, AvroSchema> _schemas = new(StringComparer.Ordinal);

    /// <summary>Creates the factory.</summary>
    /// <param name="client">The registry client every serializer of this format uses; not disposed by the factory.</param>
    public RegistryAvroSerializerFactory(ISchemaRegistryClient client)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
    }

    /// <inheritdoc />
    public string SupportedTypes => "GenericRecord, object (generic values) and C# records/classes whose properties match the schema's fields";

    /// <inheritdoc />
    public IRecordSerializer<T>? CreateSerializer<T>(SerializerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (schema, options) = Configure<T>(request, serializer: true);
        return new RegistryAvroSerializer<T>(_client, schema!, options);
    }

    /// <inheritdoc />
    public IRecordDeserializer<T>? CreateDeserializer<T>(SerializerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (schema, options) = Configure<T>(request, serializer: false);
        return new RegistryAvroDeserializer<T>(_client, options with { ReaderSchema = options.ReaderSchema ?? schema });
    }

    private (AvroSchema? Schema, RegistryAvroOptions Options) Configure<T>(SerializerRequest request, bool serializer)
    {
        var settings = new Dictionary<string, string>(request.Settings, StringComparer.OrdinalIgnoreCase);
        var problems = new List<string>();
        var unknown = settings.Keys.Where(k => !Known.Contains(k, StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            problems.Add($"unknown setting(s) {string.Join(", ", unknown)}; it takes {string.Join(", ", Known)}");
        }

        AvroSchema? schema = null;
        if (settings.TryGetValue("schema", out var schemaText))
        {
            schema = ParseSchema("schema", schemaText, problems);
        }
        else if (serializer)
        {
            problems.Add("setting schema is required: the writer schema as JSON or a file path");
        }

        var readerSchema = settings.TryGetValue("readerSchema", out var readerText) ? ParseSchema("readerSchema", readerText, problems) : null;
        var options = new RegistryAvroOptions
        {
            Topic = settings.GetValueOrDefault("topic"),
            IsKey = Parse(settings, "key", false, t => bool.TryParse(t, out var b) ? b : null, "true or false", problems),
            SubjectNameStrategy = Parse(settings, "subjectNameStrategy", SubjectNameStrategy.Topic, t => t.ToUpperInvariant() switch
            {
                "TOPIC" => SubjectNameStrategy.Topic,
                "RECORD" => SubjectNameStrategy.Record,
                "TOPIC-RECORD" => SubjectNameStrategy.TopicRecord,
                _ => null,
            }, "topic, record or topic-record", problems),
            IdSource = Parse(settings, "idSource", SchemaIdSource.Register, t => t.ToUpperInvariant() switch
            {
                "REGISTER" => SchemaIdSource.Register,
                "LOOKUP" => SchemaIdSource.Lookup,
                "LATEST" => SchemaIdSource.Latest,
                "EXPLICIT" => SchemaIdSource.Explicit,
                _ => null,
            }, "register, lookup, latest or explicit", problems),
            SchemaId = Parse<int?>(settings, "schemaId", null, t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null, $"an integer from 0 to {int.MaxValue}", problems),
            NormalizeSchemas = Parse(settings, "normalize", false, t => bool.TryParse(t, out var b) ? b : null, "true or false", problems),
            MaxRecordSize = Parse(settings, "maxRecordSize", 1024 * 1024, t => int.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : null, "an integer from 16 to 1073741824", problems),
            ReaderSchema = readerSchema,
        };
        if (serializer && schema is not null && !problems.Any(p => p.Contains("must be", StringComparison.Ordinal)))
        {
            problems.AddRange(options.Validate(schema).Select(p => "setting " + char.ToLowerInvariant(p[0]) + p[1..]));
        }

        if (problems.Count > 0)
        {
            throw new SerializerConfigurationException(FormatName, typeof(T), [], $"Format '{FormatName}' for type '{typeof(T).Name}': {string.Join("; ", problems)}.");
        }

        return (schema, options);
    }

    private static TValue Parse<TValue>(Dictionary<string, string> settings, string key, TValue fallback, Func<string, TValue?> parse, string expected, List<string> problems)
    {
        if (!settings.TryGetValue(key, out var text))
        {
            return fallback;
        }

        var value = parse(text.Trim());
        if (value is null)
        {
            problems.Add($"setting {key} must be {expected} (was '{text}')");
            return fallback;
        }

        return value;
    }

    private static TValue Parse<TValue>(Dictionary<string, string> settings, string key, TValue fallback, Func<string, TValue?> parse, string expected, List<string> problems)
        where TValue : struct
    {
        if (!settings.TryGetValue(key, out var text))
        {
            return fallback;
        }

        if (parse(text.Trim()) is { } value)
        {
            return value;
        }

        problems.Add($"setting {key} must be {expected} (was '{text}')");
        return fallback;
    }

    private AvroSchema? ParseSchema(string key, string text, List<string> problems)
    {
        var trimmed = text.TrimStart();
        var isJson = trimmed.Length > 0 && trimmed[0] is '{' or '[' or '"';
        var cacheKey = (isJson ? "json:" : "path:") + text;
        if (_schemas.TryGetValue(cacheKey, out var cached))
        {
            return cached;
        }

        try
        {
            var schema = AvroSchema.Parse(isJson ? text : File.ReadAllText(text));
            _schemas[cacheKey] = schema;
            return schema;
        }
        catch (AvroSchemaException ex)
        {
            problems.Add($"setting {key} is not a valid schema at {ex.JsonPath}: {ex.Problem}");
        }
        catch (IOException ex)
        {
            problems.Add($"setting {key}: cannot read '{text}' ({ex.GetType().Name})");
        }
        catch (UnauthorizedAccessException)
        {
            problems.Add($"setting {key}: cannot read '{text}' (access denied)");
        }

        return null;
    }
}
