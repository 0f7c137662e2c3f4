using DataWeaver.Configuration;
using DataWeaver.Configuration.Formats;

namespace DataWeaver.Formats.Protobuf;

/// <summary>Registers the <c>protobuf</c> format for pipeline definition files.</summary>
public static class ProtobufConnectorRegistryExtensions
{
    /// <summary>Gets the settings of the <c>protobuf</c> format.</summary>
    public static ConnectorDescriptor Descriptor { get; } = new()
    {
        Description = "Protobuf: length-delimited files for the file connector, one message per payload for streams; the type comes from a descriptor set.",
        Settings =
        [
            new("descriptorSet", SettingType.Path) { Required = true, Description = "A FileDescriptorSet file: protoc --include_imports --descriptor_set_out=FILE." },
            new("messageType", SettingType.String) { Required = true, Description = "The message's full name, e.g. shop.Order." },
            new("maxRecordBytes", SettingType.Size) { Minimum = 1, Maximum = int.MaxValue, Default = "1MiB", Description = "The largest message in a file." },
            new("framing", SettingType.String) { AllowedValues = ["none", "confluent"], Default = "none", Description = "Messages: bare, or behind the Confluent header (zero byte, 4-byte schema id, message indexes)." },
            new("schemaId", SettingType.Integer) { Minimum = 0, Maximum = int.MaxValue, Default = "none", Description = "The Confluent schema id: written, and the only one read (any id when absent)." },
        ],
        Validate = Validate,
    };

    /// <summary>Registers the <c>protobuf</c> format: length-delimited files for the <c>file</c> source and sink, messages for streams.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry.</returns>
    public static ConnectorRegistry AddProtobuf(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterFormat("protobuf", s => ProtobufMessages.Create(CodecOf(s), s.GetString("framing", "none") == "confluent", (int?)s.GetOptionalInt64("schemaId")), Descriptor)
            .RegisterFileFormat("protobuf", s => new ProtobufFileFormat(CodecOf(s), (int)s.GetSize("maxRecordBytes", 1024 * 1024)));
    }

    /// <summary>Reads the message type from the format's settings.</summary>
    /// <param name="settings">The validated settings.</param>
    /// <returns>The codec.</returns>
    /// <exception cref="PipelineDefinitionException">The descriptor set cannot be read or lacks the type.</exception>
    public static ProtobufJsonCodec CodecOf(ConnectorSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        List<ConfigurationError> errors = [];
        var codec = Codec(settings, errors);
        return codec ?? throw new PipelineDefinitionException(errors);
    }

    private static ProtobufJsonCodec? Codec(ConnectorSettings settings, List<ConfigurationError> errors)
    {
        byte[] set;
        try
        {
            set = File.ReadAllBytes(settings.GetRequiredPath("descriptorSet"));
        }
        catch (IOException exception)
        {
            errors.Add(ConfigurationError.At(settings.Get("descriptorSet")!, $"Cannot read the descriptor set: {exception.Message}"));
            return null;
        }

        try
        {
            return new ProtobufJsonCodec(ProtobufJsonCodec.FindMessage(set, settings.GetRequiredString("messageType")));
        }
        catch (ArgumentException exception)
        {
            var at = exception.ParamName == "messageType" ? settings.Get("messageType")! : settings.Get("descriptorSet")!;
            errors.Add(ConfigurationError.At(at, exception.Message.Split(" (Parameter", 2)[0]));
            return null;
        }
    }

    private static List<ConfigurationError> Validate(ConnectorSettings settings)
    {
        List<ConfigurationError> errors = [];
        _ = Codec(settings, errors);
        return errors;
    }
}
