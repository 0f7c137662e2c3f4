namespace DataWeaver.Kafka;

/// <summary>
/// Settings of a <see cref="KafkaStreamFramework"/>: where the brokers are, how the clients name themselves and any
/// further librdkafka setting. The producer is idempotent with <c>acks=all</c> and the <c>murmur2_random</c>
/// partitioner by default, so keys land on the partitions <see cref="Streams.StreamPartitioner"/> picks in process.
/// </summary>
public sealed record KafkaStreamOptions
{
    /// <summary>Gets the framework's name, used in connector names, logs and errors.</summary>
    /// <value>The default is <c>"kafka"</c>.</value>
    public string Name { get; init; } = "kafka";

    /// <summary>Gets the brokers to bootstrap from (librdkafka's <c>bootstrap.servers</c>, comma separated host:port).</summary>
    /// <value>The default is an empty string; set it before use.</value>
    public string BootstrapServers { get; init; } = string.Empty;

    /// <summary>Gets the client id every client of the framework reports to the brokers (<c>client.id</c>).</summary>
    /// <value>The default is <c>"dataweaver"</c>.</value>
    public string ClientId { get; init; } = "dataweaver";

    /// <summary>
    /// Gets further librdkafka settings (name to value, as in librdkafka's CONFIGURATION.md) applied to every client
    /// the framework creates (producer, consumers, metadata queries), after the framework's defaults, so they win.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no further settings.</value>
    public IReadOnlyDictionary<string, string>? Settings { get; init; }

    /// <summary>
    /// Gets further librdkafka settings for the group consumers only (for example <c>session.timeout.ms</c>), applied
    /// after <see cref="Settings"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no further settings.</value>
    public IReadOnlyDictionary<string, string>? ConsumerSettings { get; init; }

    /// <summary>
    /// Gets the consumer group protocol of the group consumers (<see cref="KafkaGroupProtocol"/>): classic eager, classic
    /// cooperative-sticky, or KIP-848's consumer protocol. With <see cref="KafkaGroupProtocol.Consumer"/>,
    /// <c>session.timeout.ms</c>, <c>heartbeat.interval.ms</c>, <c>partition.assignment.strategy</c> and
    /// <c>group.protocol.type</c> are refused in <see cref="Settings"/> and <see cref="ConsumerSettings"/> (the brokers own
    /// them); a <c>group.protocol</c> or <c>partition.assignment.strategy</c> setting that contradicts this option is refused.
    /// </summary>
    /// <value>The default is <see cref="KafkaGroupProtocol.Classic"/> (librdkafka's default: works with every broker).</value>
    public KafkaGroupProtocol GroupProtocol { get; init; } = KafkaGroupProtocol.Classic;

    /// <summary>Gets the replication factor of the topics <see cref="KafkaStreamFramework.CreateStreamAsync"/> creates.</summary>
    /// <value>The default is -1: the brokers' <c>default.replication.factor</c>.</value>
    public short ReplicationFactor { get; init; } = -1;

    /// <summary>
    /// Gets the largest message (key + value + headers, in bytes) produced; larger ones are rejected with
    /// <see cref="Streams.StreamErrorCode.MessageTooLarge"/> before anything of the batch is sent. Keep it at or below
    /// the brokers' and the topic's <c>message.max.bytes</c>.
    /// </summary>
    /// <value>The default is 1,000,000 (librdkafka's and Kafka's default <c>message.max.bytes</c>).</value>
    public int MaxMessageBytes { get; init; } = 1_000_000;

    /// <summary>Gets how long metadata, watermark, admin and commit calls may take before they fail.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets how many consumed messages a consumer buffers ahead of its reader. Above it the consumer pauses its
    /// partitions (it keeps polling, so it stays in the group) and resumes them once half of the buffer is read.
    /// </summary>
    /// <value>The default is 10,000 messages.</value>
    public int ConsumerBufferMessages { get; init; } = 10_000;

    /// <summary>
    /// Gets further values to scrub from logs and exceptions (for example a secret that reached a setting through a
    /// configuration file). The values of secret settings (<see cref="KafkaSecrets.IsSecretSetting"/>: passwords, keys,
    /// tokens, <c>sasl.jaas.config</c>) are scrubbed without being listed here.
    /// </summary>
    /// <value>The default is <see langword="null"/>: only the secret settings' values.</value>
    public IReadOnlyCollection<string>? SecretValues { get; init; }

    /// <summary>
    /// Gets where librdkafka's log lines and error events go, every secret value already replaced by
    /// <see cref="KafkaSecrets.Mask"/>. Called on librdkafka's threads: MUST NOT block, MUST NOT throw. When set, it
    /// replaces <see cref="Logger"/>.
    /// </summary>
    /// <value>The default is <see langword="null"/>: the lines go to <see cref="Logger"/>.</value>
    public Action<KafkaLogMessage>? LogHandler { get; init; }

    /// <summary>
    /// Gets the logger librdkafka's log lines and error events are written to (category <see cref="KafkaLog.Category"/>),
    /// every secret value already replaced by <see cref="KafkaSecrets.Mask"/>. Levels map from syslog's: emergency, alert and
    /// critical to <see cref="Microsoft.Extensions.Logging.LogLevel.Critical"/>, error to <c>Error</c>, warning to
    /// <c>Warning</c>, notice and info to <c>Information</c>, debug (the <c>debug</c> setting's lines) to <c>Debug</c>. Nothing
    /// is ever written to standard error by librdkafka itself.
    /// </summary>
    /// <value>The default is <see langword="null"/>: no logger, the lines are dropped (as with <c>NullLogger</c>).</value>
    public Microsoft.Extensions.Logging.ILogger? Logger { get; init; }

    internal void Validate()
    {
        KafkaSecrets.Register(this);
        if (string.IsNullOrWhiteSpace(BootstrapServers))
        {
            throw new ArgumentException("KafkaStreamOptions.BootstrapServers must name at least one broker.", nameof(BootstrapServers));
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        ArgumentException.ThrowIfNullOrWhiteSpace(ClientId);
        ArgumentOutOfRangeException.ThrowIfLessThan(MaxMessageBytes, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(ConsumerBufferMessages, 2);
        if (OperationTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(OperationTimeout), OperationTimeout, "KafkaStreamOptions.OperationTimeout must be positive.");
        }

        if (!Enum.IsDefined(GroupProtocol))
        {
            throw new ArgumentOutOfRangeException(nameof(GroupProtocol), GroupProtocol, "KafkaStreamOptions.GroupProtocol is not a KafkaGroupProtocol.");
        }

        var conflicts = GroupProtocolConflicts().ToList();
        if (conflicts.Count > 0)
        {
            throw new ArgumentException(
                $"KafkaStreamOptions.GroupProtocol is {GroupProtocol}, which these settings contradict: {string.Join("; ", conflicts)}.", nameof(GroupProtocol));
        }
    }

    /// <summary>The librdkafka settings that select <see cref="GroupProtocol"/> on a group consumer.</summary>
    internal IEnumerable<KeyValuePair<string, string>> GroupProtocolSettings() => GroupProtocol switch
    {
        KafkaGroupProtocol.Consumer => [new("group.protocol", "consumer")],
        KafkaGroupProtocol.ClassicCooperativeSticky => [new("group.protocol", "classic"), new("partition.assignment.strategy", "cooperative-sticky")],
        _ => [],
    };

    private IEnumerable<string> GroupProtocolConflicts()
    {
        string[] brokerOwned = ["session.timeout.ms", "heartbeat.interval.ms", "partition.assignment.strategy", "group.protocol.type"];
        foreach (var (where, settings) in new[] { ("Settings", Settings), ("ConsumerSettings", ConsumerSettings) })
        {
            if (settings is null)
            {
                continue;
            }

            foreach (var (name, value) in settings)
            {
                var trimmed = value.Trim();
                if (GroupProtocol == KafkaGroupProtocol.Consumer && brokerOwned.Contains(name, StringComparer.Ordinal))
                {
                    yield return $"{where}[{name}] is set by the brokers under the consumer protocol (KIP-848) and must not be given";
                }
                else if (name == "group.protocol" && !string.Equals(trimmed, GroupProtocol == KafkaGroupProtocol.Consumer ? "consumer" : "classic", StringComparison.OrdinalIgnoreCase))
                {
                    yield return $"{where}[group.protocol] is '{trimmed}'";
                }
                else if (GroupProtocol == KafkaGroupProtocol.ClassicCooperativeSticky && name == "partition.assignment.strategy" && !string.Equals(trimmed, "cooperative-sticky", StringComparison.OrdinalIgnoreCase))
                {
                    yield return $"{where}[partition.assignment.strategy] is '{trimmed}'";
                }
            }
        }
    }
}
