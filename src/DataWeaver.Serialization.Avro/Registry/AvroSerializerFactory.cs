using System.Collections.Concurrent;
using System.Globalization;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Serialization.Avro.Registry;

/// <summary>
/// The <c>avro</c> format of a <see cref="SerializerRegistry"/>: <see cref="GenericRecord"/>, <see cref="object"/>
/// (any generic value) and C# types mapped by property name, through <see cref="AvroSerializer{T}"/> and
/// <see cref="AvroDeserializer{T}"/>. Settings (keys compared ignoring case):
/// <list type="bullet">
/// <item><c>schema</c> (required): the writer schema, as JSON text or as the path of a file holding it.</item>
/// <item><c>readerSchema</c>: the schema records are read as (JSON or a path); the default reads as <c>schema</c>.</item>
/// <item><c>framing</c>: <c>none</c> (the default), <c>single-object</c> or <c>confluent</c>.</item>
/// <item><c>schemaId</c>: the registry id written and expected with <c>confluent</c> framing (required there, 0 to 2147483647; refused otherwise).</item>
/// <item><c>maxRecordSize</c>: the largest record in bytes, framing included; 16 to 1073741824, default 1048576.</item>
/// </list>
/// Every invalid or missing setting is reported at once in a <see cref="SerializerConfigurationException"/>.
/// Schemas are parsed once per distinct text or path and reused, so resolutions and typed mappings are built once.
/// Thread-safe.
/// </summary>
public sealed class AvroSerializerFactory : ISerializerFactory
{
    /// <summary>The format name: <c>avro</c>.</summary>
    public const string FormatName = "avro";

    /// <summary>The setting holding the writer schema (JSON text or a file path).</summary>
    public const string SchemaSetting = "schema";

    /// <summary>The setting holding the reader schema (JSON text or a file path).</summary>
    public const string ReaderSchemaSetting = "readerSchema";

    /// <summary>The setting holding the framing: <c>none</c>, <c>single-object</c> or <c>confluent</c>.</summary>
    public const string FramingSetting = "framing";

    /// <summary>The setting holding the Confluent schema id.</summary>
    public const string SchemaIdSetting = "schemaId";

    /// <summary>The setting holding the maximum record size in bytes.</summary>
    public const string MaxRecordSizeSetting = "maxRecordSize";

    private static readonly string[] Known = [SchemaSetting, ReaderSchemaSetting, FramingSetting, SchemaIdSetting, MaxRecordSizeSetting];

    private readonly ConcurrentDictionary<string, AvroSchema> _schemas = new(StringComparer.Ordinal);
    private readonly Func<long, AvroSchema?>? _schemaLookup;

    /// <summary>Creates the factory.</summary>
    /// <param name="schemaLookup">How deserializers find a writer schema other than the configured one by fingerprint (single-object) or id (Confluent); <see langword="null"/> accepts only the configured schema.</param>
    public AvroSerializerFactory(Func<long, AvroSchema?>? schemaLookup = null)
    {
        _schemaLookup = schemaLookup;
    }

    /// <inheritdoc />
    public string SupportedTypes => "GenericRecord, object (generic values) and C# records/classes whose properties match the schema's fields";

    /// <inheritdoc />
    public IRecordSerializer<T>? CreateSerializer<T>(SerializerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (schema, options) = Configure<T>(request);
        return new AvroSerializer<T>(schema, options);
    }

    /// <inheritdoc />
    public IRecordDeserializer<T>? CreateDeserializer<T>(SerializerRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (schema, options) = Configure<T>(request);
        try
        {
            return new AvroDeserializer<T>(schema, options);
        }
        catch (AvroSchemaException ex)
        {
            throw Invalid<T>(request, [$"type '{typeof(T).Name}' cannot be read with these schemas: {ex.Message}"]);
        }
    }

    private (AvroSchema Schema, AvroSerializerOptions Options) Configure<T>(SerializerRequest request)
    {
        var settings = request.Settings;
        var problems = new List<string>();
        var unknown = settings.Keys.Where(k => !Known.Contains(k, StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            problems.Add($"unknown setting(s) {string.Join(", ", unknown)}; it takes {string.Join(", ", Known)}");
        }

        AvroSchema? schema = null;
        if (!settings.TryGetValue(SchemaSetting, out var schemaText) || string.IsNullOrWhiteSpace(schemaText))
        {
            problems.Add($"setting {SchemaSetting} is required: the writer schema as JSON or a file path");
        }
        else
        {
            schema = ParseSchema(SchemaSetting, schemaText, problems);
        }

        var readerSchema = settings.TryGetValue(ReaderSchemaSetting, out var readerText) ? ParseSchema(ReaderSchemaSetting, readerText, problems) : null;

        var framing = AvroFraming.None;
        if (settings.TryGetValue(FramingSetting, out var framingText))
        {
            switch (framingText.Trim().ToUpperInvariant())
            {
                case "NONE":
                    framing = AvroFraming.None;
                    break;
                case "SINGLE-OBJECT":
                    framing = AvroFraming.SingleObject;
                    break;
                case "CONFLUENT":
                    framing = AvroFraming.Confluent;
                    break;
                default:
                    problems.Add($"setting {FramingSetting} must be none, single-object or confluent (was '{framingText}')");
                    break;
            }
        }

        var schemaId = 0;
        if (settings.TryGetValue(SchemaIdSetting, out var idText))
        {
            if (framing != AvroFraming.Confluent)
            {
                problems.Add($"setting {SchemaIdSetting} applies only to framing confluent");
            }
            else if (!int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out schemaId))
            {
                problems.Add($"setting {SchemaIdSetting} must be an integer from 0 to {int.MaxValue} (was '{idText}')");
            }
        }
        else if (framing == AvroFraming.Confluent)
        {
            problems.Add($"setting {SchemaIdSetting} is required with framing confluent");
        }

        var maxRecordSize = 1024 * 1024;
        if (settings.TryGetValue(MaxRecordSizeSetting, out var sizeText)
            && (!int.TryParse(sizeText, NumberStyles.None, CultureInfo.InvariantCulture, out maxRecordSize) || maxRecordSize < 16 || maxRecordSize > 1 << 30))
        {
            problems.Add($"setting {MaxRecordSizeSetting} must be an integer from 16 to {1 << 30} (was '{sizeText}')");
        }

        if (problems.Count > 0)
        {
            throw Invalid<T>(request, problems);
        }

        return (schema!, new AvroSerializerOptions
        {
            Framing = framing,
            SchemaId = schemaId,
            MaxRecordSize = maxRecordSize,
            ReaderSchema = readerSchema,
            SchemaLookup = _schemaLookup,
        });
    }

    private AvroSchema? ParseSchema(string key, string text, List<string> problems)
    {
        var trimmed = text.TrimStart();
        var isJson = trimmed.Length > 0 && trimmed[0] is '{' or '[' or '"';
        if (_schemas.TryGetValue((isJson ? "json:" : "path:") + text, out var cached))
        {
            return cached;
        }

        string json;
        if (isJson)
        {
            json = text;
        }
        else
        {
            try
            {
                json = File.ReadAllText(text);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                problems.Add($"setting {key}: the schema file '{text}' cannot be read: {ex.Message}");
                return null;
            }
        }

        try
        {
            return _schemas.GetOrAdd((isJson ? "json:" : "path:") + text, AvroSchema.Parse(json));
        }
        catch (AvroSchemaException ex)
        {
            problems.Add($"setting {key}: invalid schema at {ex.JsonPath}: {ex.Problem}");
            return null;
        }
    }

    private static SerializerConfigurationException Invalid<T>(SerializerRequest request, List<string> problems) =>
        new(request.Format, typeof(T), [], $"Format '{request.Format}' for type '{typeof(T).Name}': {string.Join("; ", problems)}.");
}
