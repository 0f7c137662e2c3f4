using DataWeaver.Configuration;

namespace DataWeaver.Kafka.Configuration;

/// <summary>Adds Kafka to pipeline definition files: the <c>kafka</c> stream framework type.</summary>
public static class KafkaConnectorRegistryExtensions
{
    /// <summary>The framework type name in definition files.</summary>
    public const string FrameworkType = "kafka";

    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "bootstrapServers", "clientId", "replicationFactor", "maxMessageBytes", "consumerBufferMessages", "operationTimeout", "consumer", "groupProtocol", "librdkafka", "debug",
    };

    /// <summary>
    /// Registers the <c>kafka</c> framework and the <c>kafka</c> source and sink types (docs/kafka-definition-files.md): <c>framework: { type: kafka, settings: { bootstrapServers: ..., ... } }</c>. The
    /// <c>stream</c> source and sink of such a pipeline read and write Kafka topics (a consumer group that drains and commits
    /// on rebalances; batched, idempotent produce). Settings: <c>bootstrapServers</c> (required), <c>clientId</c>,
    /// <c>replicationFactor</c>, <c>maxMessageBytes</c>, <c>consumerBufferMessages</c>, <c>operationTimeout</c>, <c>groupProtocol</c>
    /// (<c>classic</c>, <c>cooperative-sticky</c> or <c>consumer</c>: <see cref="KafkaGroupProtocol"/>), <c>consumer</c> (a mapping of librdkafka settings for the consumers only); any other setting whose name contains a dot is a librdkafka
    /// setting passed through as it is (<c>security.protocol</c>, <c>sasl.password</c>, <c>ssl.ca.location</c>, ...), as is
    /// every setting of the <c>librdkafka</c> mapping and <c>debug</c>; settings DataWeaver owns (<c>enable.auto.commit</c>,
    /// <c>group.id</c>, <c>transactional.id</c>, ...) are refused, and the values of secret ones are scrubbed from every log
    /// line and error (<see cref="KafkaSecrets"/>). librdkafka's log lines go to the factory's logger (<see cref="KafkaLog"/>).
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    public static ConnectorRegistry AddKafka(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        KafkaDefinitionConnectors.Register(registry);
        return registry.RegisterFramework(FrameworkType, context => new KafkaStreamFramework(KafkaDefinitionSettings.WithLogger(ToOptions(context.Settings, context.SecretValues), context)), new ConnectorDescriptor
        {
            Description = "Apache Kafka through Confluent.Kafka 2.16 and librdkafka 2.16: topics are streams, consumer groups share partitions.",
            AllowOtherSettings = true,
            Settings =
            [
                new("bootstrapServers", SettingType.String) { Required = true, Description = "The brokers (bootstrap.servers)." },
                new("clientId", SettingType.String) { Default = "dataweaver", Description = "client.id of every client." },
                new("replicationFactor", SettingType.Integer) { Minimum = -1, Default = "-1 (the brokers' default)", Description = "Of the topics the pipeline creates." },
                new("maxMessageBytes", SettingType.Size) { Minimum = 1, Default = "1000000", Description = "The largest message produced." },
                new("consumerBufferMessages", SettingType.Integer) { Minimum = 2, Default = "10000", Description = "Messages buffered ahead of the pipeline before partitions pause." },
                new("operationTimeout", SettingType.Duration) { Default = "30s", Description = "Metadata, admin and commit calls." },
                new("groupProtocol", SettingType.String)
                {
                    Default = "classic",
                    AllowedValues = [.. GroupProtocols.Keys],
                    Description = "The consumer group protocol: classic (eager), cooperative-sticky (classic, incremental) or consumer (KIP-848, Kafka 4.0+).",
                },
                new("consumer", SettingType.Mapping) { Description = "librdkafka settings for the consumers only (for example session.timeout.ms)." },
                new("librdkafka", SettingType.Mapping) { Description = "Any librdkafka setting for every client, by its name in librdkafka's CONFIGURATION.md (for example debug, linger.ms)." },
                new("debug", SettingType.String) { Default = "none", Description = "librdkafka's debug contexts (for example broker,topic,msg): their lines go to the logger at Debug level." },
            ],
            Validate = Validate,
        });
    }

    private static readonly Dictionary<string, KafkaGroupProtocol> GroupProtocols = new(StringComparer.Ordinal)
    {
        ["classic"] = KafkaGroupProtocol.Classic,
        ["cooperative-sticky"] = KafkaGroupProtocol.ClassicCooperativeSticky,
        ["consumer"] = KafkaGroupProtocol.Consumer,
    };

    private static KafkaStreamOptions ToOptions(ConnectorSettings settings, IReadOnlyCollection<string> secrets)
    {
        var defaults = new KafkaStreamOptions();
        var passThrough = settings.ToFlatDictionary()
            .Where(setting => !Known.Contains(setting.Key) && !setting.Key.StartsWith("consumer.", StringComparison.Ordinal) && !setting.Key.StartsWith("librdkafka.", StringComparison.Ordinal))
            .Concat(KafkaDefinitionSettings.Librdkafka(settings))
            .ToDictionary(setting => setting.Key, setting => setting.Value, StringComparer.Ordinal);
        return new KafkaStreamOptions
        {
            BootstrapServers = settings.GetRequiredString("bootstrapServers"),
            ClientId = settings.GetString("clientId", defaults.ClientId)!,
            ReplicationFactor = (short)settings.GetInt32("replicationFactor", defaults.ReplicationFactor),
            MaxMessageBytes = (int)settings.GetSize("maxMessageBytes", defaults.MaxMessageBytes),
            ConsumerBufferMessages = settings.GetInt32("consumerBufferMessages", defaults.ConsumerBufferMessages),
            OperationTimeout = settings.GetDuration("operationTimeout", defaults.OperationTimeout),
            GroupProtocol = GroupProtocols.GetValueOrDefault(settings.GetString("groupProtocol", "classic")!, defaults.GroupProtocol),
            Settings = passThrough.Count == 0 ? null : passThrough,
            ConsumerSettings = settings.Contains("consumer") ? settings.GetSection("consumer").ToFlatDictionary() : null,
            SecretValues = secrets,
        };
    }

    private static IEnumerable<ConfigurationError> Validate(ConnectorSettings settings)
    {
        foreach (var error in KafkaDefinitionSettings.RefuseOwned(settings))
        {
            yield return error;
        }

        foreach (var name in settings.Names.Where(n => !Known.Contains(n) && !n.Contains('.', StringComparison.Ordinal)))
        {
            var value = settings.Get(name)!;
            yield return new ConfigurationError(
                "unknown-setting",
                value.Path,
                $"'{name}' is neither a setting of the kafka framework ({string.Join(", ", Known.Order(StringComparer.Ordinal))}) nor a librdkafka setting (those contain a dot, like security.protocol).",
                value.Location);
        }
    }
}
