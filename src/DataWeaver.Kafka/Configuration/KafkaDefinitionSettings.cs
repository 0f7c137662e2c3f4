using DataWeaver.Configuration;

namespace DataWeaver.Kafka.Configuration;

/// <summary>
/// The librdkafka settings of the <c>kafka</c> framework in definition files: the <c>librdkafka</c> mapping and <c>debug</c>
/// passed through, the settings DataWeaver owns refused with the reason, and the factory's logger.
/// </summary>
internal static class KafkaDefinitionSettings
{
    /// <summary>The settings DataWeaver sets itself, and why a file may not: a value there would break what DataWeaver promises.</summary>
    private static readonly Dictionary<string, string> Owned = new(StringComparer.Ordinal)
    {
        ["bootstrap.servers"] = "it is the framework's bootstrapServers setting",
        ["client.id"] = "it is the framework's clientId setting",
        ["group.id"] = "each source sets it from its group setting",
        ["enable.auto.commit"] = "DataWeaver commits only offsets whose records every sink wrote; automatic commits would commit records not yet written, which a crash would lose",
        ["enable.auto.offset.store"] = "DataWeaver stores only offsets whose records every sink wrote; automatic stores would commit records not yet written, which a crash would lose",
        ["auto.offset.reset"] = "each source sets it from its startFrom setting",
        ["transactional.id"] = "a kafka source with exactlyOnce: true sets it from its transactionalId setting",
    };

    private static readonly string[] Sections = ["librdkafka", "consumer"];

    /// <summary>The <c>librdkafka</c> mapping's settings and <c>debug</c>, by librdkafka name.</summary>
    public static IEnumerable<KeyValuePair<string, string>> Librdkafka(ConnectorSettings settings)
    {
        if (settings.Contains("librdkafka"))
        {
            foreach (var setting in settings.GetSection("librdkafka").ToFlatDictionary())
            {
                yield return setting;
            }
        }

        if (settings.GetString("debug") is { Length: > 0 } debug)
        {
            yield return new("debug", debug);
        }
    }

    /// <summary>Refuses the owned settings wherever librdkafka settings are given: dotted names, <c>librdkafka</c>, <c>consumer</c>.</summary>
    public static IEnumerable<ConfigurationError> RefuseOwned(ConnectorSettings settings)
    {
        var sections = new List<ConfigValue> { settings.Value };
        sections.AddRange(Sections.Select(settings.Get).OfType<ConfigValue>().Where(v => v.Kind == ConfigValueKind.Mapping));
        foreach (var section in sections)
        {
            foreach (var (name, value) in new ConnectorSettings(section).ToFlatDictionary())
            {
                var at = section[name] ?? section;
                if (Owned.TryGetValue(name, out var reason))
                {
                    yield return new ConfigurationError(ConfigurationErrorCode.Conflict, at.Path, $"The librdkafka setting '{name}' cannot be set in a definition file: {reason}.", at.Location);
                }
                else if (name == "enable.idempotence" && value.Trim().Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    yield return new ConfigurationError(
                        ConfigurationErrorCode.Conflict, at.Path, "'enable.idempotence: false' is refused: the producer is idempotent so that librdkafka's retries neither duplicate nor reorder messages.", at.Location);
                }
            }
        }
    }

    /// <summary>The options with the factory's logger for librdkafka's lines (category <see cref="KafkaLog.Category"/>).</summary>
    public static KafkaStreamOptions WithLogger(KafkaStreamOptions options, FrameworkContext context) =>
        options with { Logger = context.LoggerFactory.CreateLogger(KafkaLog.Category) };
}
