using DataWeaver.Configuration.Internal;
using DataWeaver.Configuration.Internal.Connectors;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration;

/// <summary>The built-in message formats of definition files: <c>json</c>, <c>string</c>, <c>utf8</c> and <c>raw</c>.</summary>
public static class MessageFormatRegistryExtensions
{
    /// <summary>The <c>field</c> setting's default for <c>string</c>, <c>utf8</c> and <c>raw</c>.</summary>
    private const string DefaultField = "value";

    /// <summary>
    /// Registers the message formats a connector's <c>format</c> may name: <c>json</c> (each record one JSON object;
    /// <c>maxRecordBytes</c>), <c>string</c> and <c>utf8</c> (text as <c>{ field: text }</c>) and <c>raw</c> (bytes as
    /// <c>{ field: base64 }</c>).
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    /// <exception cref="ArgumentException">One of these formats is already registered.</exception>
    public static ConnectorRegistry AddMessageFormats(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterFormat("json", JsonFormat, new ConnectorDescriptor
            {
                Description = "Each record is one JSON object; messages optionally in the Confluent Schema Registry wire format.",
                Settings =
                [
                    new("maxRecordBytes", SettingType.Size) { Minimum = 1, Maximum = int.MaxValue, Default = Units.FormatSize(JsonRecordOptions.DefaultMaxRecordBytes) },
                    new("framing", SettingType.String) { AllowedValues = ["none", "confluent"], Default = "none", Description = "Messages: the JSON alone, or behind the Confluent header (zero byte, 4-byte schema id)." },
                    new("schemaId", SettingType.Integer) { Minimum = 0, Maximum = int.MaxValue, Default = "none", Description = "The Confluent schema id: written, and the only one read (any id when absent)." },
                ],
            })
            .RegisterFormat("string", s => StringFormat(s, "string"), FieldFormat("Text as { field: text }; written back as that field's text."))
            .RegisterFormat("utf8", s => StringFormat(s, "utf8"), FieldFormat("The same as string."))
            .RegisterFormat("raw", RawFormat, FieldFormat("Bytes as { field: base64 }; written back decoded."));
    }

    private static JsonRecordFormat JsonFormat(ConnectorSettings settings)
    {
        var maxRecordBytes = (int)settings.GetSize("maxRecordBytes", JsonRecordOptions.DefaultMaxRecordBytes);
        if (settings.GetString("framing", "none") != "confluent")
        {
            return JsonRecordFormat.JsonWithLimit(maxRecordBytes);
        }

        var codec = new ConfluentJsonCodec((int?)settings.GetOptionalInt64("schemaId"), new JsonRecordOptions { MaxRecordBytes = maxRecordBytes });
        return new JsonRecordFormat("json", codec, codec);
    }

    private static ConnectorDescriptor FieldFormat(string description) => new()
    {
        Description = description,
        Settings = [new("field", SettingType.String) { Default = DefaultField, Description = "The field holding the payload." }],
    };

    private static JsonRecordFormat StringFormat(ConnectorSettings settings, string name)
    {
        var codec = new StringFieldCodec(settings.GetString("field", DefaultField)!);
        return new JsonRecordFormat(name, codec, codec);
    }

    private static JsonRecordFormat RawFormat(ConnectorSettings settings)
    {
        var codec = new RawFieldCodec(settings.GetString("field", DefaultField)!);
        return new JsonRecordFormat("raw", codec, codec);
    }
}
