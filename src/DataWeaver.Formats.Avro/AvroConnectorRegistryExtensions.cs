using DataWeaver.Configuration;
using DataWeaver.Configuration.Formats;
using DataWeaver.Serialization.Avro.Container;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Formats.Avro;

/// <summary>Registers the <c>avro</c> format for pipeline definition files.</summary>
public static class AvroConnectorRegistryExtensions
{
    /// <summary>Gets the settings of the <c>avro</c> format.</summary>
    public static ConnectorDescriptor Descriptor { get; } = new()
    {
        Description = "Avro: object container files for the file connector, one datum per message for streams (optionally Confluent-framed).",
        Settings =
        [
            new("schema", SettingType.Any) { Default = "none", Description = "The schema inline: JSON text or a mapping. Required to write and for messages; reading a file without it uses the file's schema." },
            new("schemaFile", SettingType.Path) { Default = "none", Description = "The schema from an .avsc file (instead of schema)." },
            new("framing", SettingType.String) { AllowedValues = ["none", "confluent"], Default = "none", Description = "Messages: bare datums, or the Confluent header (zero byte, 4-byte schema id)." },
            new("schemaId", SettingType.Integer) { Minimum = 0, Maximum = int.MaxValue, Default = "none", Description = "The Confluent schema id: written, and the only one read (any id when absent)." },
            new("codec", SettingType.String) { AllowedValues = ["null", "deflate"], Default = "null", Description = "The block codec of container files written." },
        ],
        Validate = Validate,
    };

    /// <summary>Registers the <c>avro</c> format: container files for the <c>file</c> source and sink, datums for messages.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry.</returns>
    public static ConnectorRegistry AddAvro(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterFormat("avro", s => AvroMessages.Create(OptionsOf(s)), Descriptor)
            .RegisterFileFormat("avro", s => new AvroFileFormat(OptionsOf(s)));
    }

    /// <summary>Reads the format's settings.</summary>
    /// <param name="settings">The validated settings.</param>
    /// <returns>The options.</returns>
    /// <exception cref="PipelineDefinitionException">The schema cannot be read or parsed.</exception>
    public static AvroFormatOptions OptionsOf(ConnectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        List<ConfigurationError> errors = [];
        var schema = Schema(settings, errors);
        if (errors.Count > 0)
        {
            throw new PipelineDefinitionException(errors);
        }

        return new AvroFormatOptions
        {
            Schema = schema,
            ConfluentFraming = settings.GetString("framing", "none") == "confluent",
            SchemaId = (int?)settings.GetOptionalInt64("schemaId"),
            Codec = settings.GetString("codec", "null") == "deflate" ? AvroCodec.Deflate : AvroCodec.Null,
        };
    }

    private static AvroSchema? Schema(ConnectorSettings settings, List<ConfigurationError> errors)
    {
        var inline = settings.Get("schema");
        var file = settings.Get("schemaFile");
        if (inline is not null && file is not null)
        {
            errors.Add(ConfigurationError.At(file, "Give the schema inline (schema) or as a file (schemaFile), not both.", ConfigurationErrorCode.Conflict));
            return null;
        }

        if (inline is null && file is null)
        {
            return null;
        }

        var at = (inline ?? file)!;
        string json;
        try
        {
            json = inline is null ? File.ReadAllText(settings.GetPath("schemaFile")!)
                : inline.Kind == ConfigValueKind.String ? inline.Text! : inline.ToJson(revealSecrets: true);
        }
        catch (IOException exception)
        {
            errors.Add(ConfigurationError.At(at, $"Cannot read the schema file: {exception.Message}"));
            return null;
        }

        try
        {
            return AvroSchema.Parse(json);
        }
        catch (AvroSchemaException exception)
        {
            errors.Add(ConfigurationError.At(at, $"Not an Avro schema: {exception.Message}"));
            return null;
        }
    }

    private static List<ConfigurationError> Validate(ConnectorSettings settings)
    {
        List<ConfigurationError> errors = [];
        _ = Schema(settings, errors);
        return errors;
    }
}
