using DataWeaver.Streams;

namespace DataWeaver.Kafka;

/// <summary>
/// Reads a Kafka topic as a member of a consumer group and commits the group's offsets as the pipeline
/// acknowledges records (at least once): a <see cref="StreamSource"/> over a <see cref="KafkaStreamFramework"/>.
/// </summary>
/// <remarks>
/// <para>
/// Several pipelines (in one process or many) with the same <see cref="StreamConsumerOptions.GroupId"/> share the
/// topic's partitions. A record's position is its (partition, offset); the group commits offset + 1 once the record
/// and everything before it in its partition were written by every sink (periodically, see
/// <see cref="Pipelines.PipelineOptions.CommitInterval"/>, and when the run ends).
/// </para>
/// <para>
/// Rebalances: when a member joins or leaves, a revoked partition's buffered messages are dropped, the records
/// already in the pipeline are waited for (up to <see cref="StreamConsumerOptions.RevocationDrainTimeout"/>), what
/// was acknowledged is committed, and only then is the partition let go, so a graceful rebalance duplicates
/// nothing. Backpressure pauses the partitions while the consumer keeps polling: however slow the sinks, the member
/// stays in the group. A member that dies leaves its uncommitted records to the next owner (at least once: the
/// duplicates are bounded by <see cref="Pipelines.PipelineOptions.MaxInFlightRecords"/> with continuous commits).
/// </para>
/// </remarks>
public sealed class KafkaSource : StreamSource
{
    /// <summary>Creates the source.</summary>
    /// <param name="kafka">The Kafka stream framework (brokers, client settings); it must be started before the pipeline runs.</param>
    /// <param name="topic">The topic to read; it must exist.</param>
    /// <param name="options">The consumer group, where a new group starts and the revocation drain; <see langword="null"/> uses the defaults (group <c>dataweaver</c>, earliest, 10 s).</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>kafka:{topic}</c>.</param>
    public KafkaSource(KafkaStreamFramework kafka, string topic, StreamConsumerOptions? options = null, string? name = null)
        : base(kafka, topic, options, name ?? "kafka:" + topic)
    {
        Kafka = kafka;
    }

    /// <summary>Creates a source whose positions are committed inside the transactions of an exactly-once pipeline.</summary>
    /// <param name="kafka">The Kafka stream framework; it must be started before the pipeline runs.</param>
    /// <param name="topic">The topic to read; it must exist.</param>
    /// <param name="transactions">The transactions, shared with the pipeline's <see cref="KafkaSink"/>.</param>
    /// <param name="options">The consumer group, where a new group starts and the drain timeout; <see langword="null"/> uses the defaults.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>kafka:{topic}</c>.</param>
    public KafkaSource(KafkaStreamFramework kafka, string topic, KafkaTransactions transactions, StreamConsumerOptions? options = null, string? name = null)
        : this(kafka, topic, options, name)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        Transactions = transactions;
    }

    /// <summary>Gets the transactions positions are committed in, or <see langword="null"/> (the default) for plain group commits.</summary>
    public KafkaTransactions? Transactions { get; }

    private KafkaStreamFramework Kafka { get; }

    /// <inheritdoc />
    /// <remarks>With <see cref="Transactions"/>: one transaction (see <see cref="KafkaTransactions"/>); the positions committed are the source's own drained ones.</remarks>
    public override ValueTask CommitAsync(IReadOnlyList<Records.SourcePosition> positions, CancellationToken cancellationToken = default) =>
        Transactions is not null && Consumer is KafkaStreamConsumer consumer
            ? new ValueTask(consumer.CommitTransactionAsync(cancellationToken))
            : base.CommitAsync(positions, cancellationToken);

    /// <summary>Runs before the consumer joins (definition files: start the framework, create the topic).</summary>
    internal Func<CancellationToken, ValueTask>? BeforeOpen { get; init; }

    /// <inheritdoc />
    protected override async ValueTask<IStreamConsumer> CreateConsumerAsync(CancellationToken cancellationToken)
    {
        if (BeforeOpen is { } prepare)
        {
            await prepare(cancellationToken).ConfigureAwait(false);
        }

        return await Kafka.ConsumeStreamCoreAsync(Topic, Options, Transactions, cancellationToken).ConfigureAwait(false);
    }
}
