using DataWeaver.Configuration.Internal.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration;

/// <summary>The <c>memory</c> source in definition files: the records written in the file. The source itself is the engine's <see cref="CollectionSource{T}"/>.</summary>
public static class MemoryConnectorRegistryExtensions
{
    private static readonly ConnectorDescriptor Descriptor = new()
    {
        Description = "Reads the records written in the file, in order.",
        Settings = [new("records", SettingType.Sequence) { Required = true, Description = "The records: a sequence of mappings." }],
        Formats = ["json"],
        Validate = settings => ConnectorChecks.Errors(errors => Records(settings.Get("records")!, errors)),
    };

    /// <summary>Registers the <c>memory</c> source: <c>source: { type: memory, settings: { records: [ { ... }, ... ] } }</c>.</summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    /// <exception cref="ArgumentException">A source named <c>memory</c> is already registered.</exception>
    public static ConnectorRegistry AddMemory(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry.RegisterSource(
            "memory",
            c => new CollectionSource<JsonRecord>(ConnectorChecks.Check(errors => Records(c.Settings.Get("records")!, errors)), c.Name),
            Descriptor);
    }

    private static List<JsonRecord> Records(ConfigValue records, List<ConfigurationError> errors)
    {
        List<JsonRecord> list = [];
        foreach (var item in records.Items)
        {
            if (item.Kind != ConfigValueKind.Mapping)
            {
                errors.Add(ConfigurationError.At(item, $"Each record is a mapping; found {item.Describe()}.", ConfigurationErrorCode.Type));
                continue;
            }

            list.Add(JsonRecord.Parse(item.ToJson(revealSecrets: true)));
        }

        return list;
    }
}
