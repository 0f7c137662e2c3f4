using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using DataWeaver.Configuration;
using DataWeaver.Streams;

namespace DataWeaver.Kafka.Configuration;

/// <summary>
/// The <c>kafka</c> source and sink of definition files: <see cref="KafkaSource"/> and <see cref="KafkaSink"/> on the
/// pipeline's <c>kafka</c> framework, with the exactly-once switch (<c>exactlyOnce: true</c> on the source and on its
/// sinks: one <see cref="KafkaTransactions"/> per pipeline). Message metadata (<c>metadata: true</c>) and the sink's
/// <c>key:</c> and <c>headers:</c> are the definition file's, as for every source and sink of messages.
/// </summary>
internal static class KafkaDefinitionConnectors
{
    /// <summary>The connector type name.</summary>
    public const string TypeName = "kafka";

    /// <summary>The open transactions of each framework's exactly-once pipelines, by pipeline name: the source creates them, its sinks join.</summary>
    private static readonly ConditionalWeakTable<KafkaStreamFramework, ConcurrentDictionary<string, KafkaTransactions>> Transactions = [];

    public static readonly ConnectorDescriptor Source = new()
    {
        Description = "Reads a Kafka topic of the pipeline's kafka framework in a consumer group; commits what the sinks wrote (or, with exactlyOnce, inside transactions).",
        Settings =
        [
            new("topic", SettingType.String) { Required = true, Description = "The topic to read." },
            new("group", SettingType.String) { Default = StreamConsumerOptions.DefaultGroupId, Description = "The consumer group (group.id)." },
            new("startFrom", SettingType.String) { AllowedValues = ["earliest", "latest"], Default = "earliest", Description = "Where a new group starts (auto.offset.reset)." },
            new("partitions", SettingType.Integer) { Minimum = 1, Default = "the topic must exist", Description = "Create the topic with this many partitions when it is missing." },
            new("exactlyOnce", SettingType.Boolean) { Default = "false", Description = "Commit the positions and the kafka sinks' writes in one transaction (every kafka sink needs exactlyOnce: true too)." },
            new("transactionalId", SettingType.String) { Default = "required with exactlyOnce", Description = "transactional.id: unique per running instance, stable across its restarts." },
        ],
        Validate = ValidateSource,
    };

    public static readonly ConnectorDescriptor Sink = new()
    {
        Description = "Produces each record to a Kafka topic of the pipeline's kafka framework (idempotent, acks=all; key and headers from the sink's key: and headers:).",
        Settings =
        [
            new("topic", SettingType.String) { Required = true, Description = "The topic to write." },
            new("partitions", SettingType.Integer) { Minimum = 1, Default = "the topic must exist", Description = "Create the topic with this many partitions when it is missing." },
            new("exactlyOnce", SettingType.Boolean) { Default = "false", Description = "Write inside the transactions of the pipeline's kafka source (which needs exactlyOnce: true)." },
        ],
    };

    /// <summary>The transactions the last exactly-once kafka source of <paramref name="pipelineName"/> created (tests).</summary>
    internal static KafkaTransactions? FindTransactions(string pipelineName) =>
        Transactions.Select(t => t.Value.GetValueOrDefault(pipelineName)).LastOrDefault(t => t is not null);

    public static void Register(ConnectorRegistry registry) => registry
        .RegisterPayloadSource(TypeName, CreateSource, Source)
        .RegisterPayloadSink(TypeName, CreateSink, Sink);

    private static KafkaSource CreateSource(ConnectorContext context)
    {
        var kafka = Framework(context);
        var settings = context.Settings;
        var topic = settings.GetRequiredString("topic");
        var options = new StreamConsumerOptions
        {
            GroupId = settings.GetString("group", StreamConsumerOptions.DefaultGroupId)!,
            StartFrom = settings.GetString("startFrom", "earliest") == "latest" ? StreamStartPosition.Latest : StreamStartPosition.Earliest,
        };
        var prepare = Prepare(kafka, topic, (int?)settings.GetOptionalInt64("partitions"));
        if (!settings.GetBoolean("exactlyOnce", false))
        {
            Transactions.GetOrCreateValue(kafka).TryRemove(context.PipelineName, out _); // an earlier definition's, if any
            return new KafkaSource(kafka, topic, options, context.Name) { BeforeOpen = prepare };
        }

        var transactions = new KafkaTransactions(kafka.Options, settings.GetRequiredString("transactionalId"));
        Transactions.GetOrCreateValue(kafka)[context.PipelineName] = transactions;
        return new KafkaSource(kafka, topic, transactions, options, context.Name) { BeforeOpen = prepare };
    }

    private static KafkaSink CreateSink(ConnectorContext context)
    {
        var kafka = Framework(context);
        var settings = context.Settings;
        var topic = settings.GetRequiredString("topic");
        var prepare = Prepare(kafka, topic, (int?)settings.GetOptionalInt64("partitions"));
        if (!settings.GetBoolean("exactlyOnce", false))
        {
            return new KafkaSink(kafka.Options, topic, name: context.Name) { BeforeOpen = prepare };
        }

        if (!Transactions.TryGetValue(kafka, out var pipelines) || !pipelines.TryGetValue(context.PipelineName, out var transactions))
        {
            throw new InvalidOperationException(
                "'exactlyOnce: true' on a kafka sink writes inside the transactions of the pipeline's source: the source must be a kafka source on the same framework with 'exactlyOnce: true'.");
        }

        return new KafkaSink(transactions, topic, name: context.Name) { BeforeOpen = prepare };
    }

    private static KafkaStreamFramework Framework(ConnectorContext context) =>
        context.Framework as KafkaStreamFramework
        ?? throw new InvalidOperationException($"The {context.Role.ToString().ToLowerInvariant()} type 'kafka' needs the pipeline's framework to be 'type: kafka' (it is '{context.Framework.Name}').");

    private static Func<CancellationToken, ValueTask> Prepare(KafkaStreamFramework kafka, string topic, int? partitions) => async cancellationToken =>
    {
        await kafka.StartAsync(cancellationToken).ConfigureAwait(false);
        if (partitions is { } count)
        {
            await kafka.CreateStreamAsync(topic, count, cancellationToken).ConfigureAwait(false);
        }
    };

    private static IEnumerable<ConfigurationError> ValidateSource(ConnectorSettings settings)
    {
        if (settings.GetBoolean("exactlyOnce", false) && settings.Get("transactionalId") is null)
        {
            var at = settings.Get("exactlyOnce")!;
            yield return new ConfigurationError(
                ConfigurationErrorCode.MissingSetting,
                at.Path,
                "'exactlyOnce: true' needs 'transactionalId': the transactional.id of this running instance, stable across its restarts and different for every instance of the pipeline (for example relay-${HOSTNAME}).",
                at.Location);
        }
    }
}
