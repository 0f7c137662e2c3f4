using Confluent.Kafka;
using DataWeaver.Errors;

namespace DataWeaver.Kafka;

/// <summary>
/// Exactly-once Kafka to Kafka: one transactional producer shared by a <see cref="KafkaSource"/> and a
/// <see cref="KafkaSink"/> of the same pipeline, so that what the sink writes and the positions the source commits
/// become visible together, or not at all.
/// </summary>
/// <remarks>
/// <para>
/// Each pipeline commit (<see cref="Pipelines.PipelineOptions.CommitInterval"/>) is one transaction: the source stops
/// handing out records, waits until every record handed out was written into the transaction, sends the acknowledged
/// positions to it (<c>SendOffsetsToTransaction</c>) and commits it. A transaction that cannot drain within
/// <see cref="Streams.StreamConsumerOptions.RevocationDrainTimeout"/>, or fails, is aborted and stops the run with a
/// fatal error; a restarted run resumes from the last committed transaction. Readers of the output must read committed
/// data only (<c>isolation.level=read_committed</c>, librdkafka's default).
/// </para>
/// <para>
/// One <see cref="TransactionalId"/> per pipeline instance, stable across restarts: a restarted instance fences its
/// predecessor and aborts its open transaction. librdkafka's mock cluster models transactions only in part (no abort
/// markers, <c>read_committed</c> ignored, offsets sent to a transaction discarded), so the tests can prove the flow and
/// the happy path there, not the atomicity; see docs/kafka.md.
/// </para>
/// </remarks>
public sealed class KafkaTransactions
{
    private IProducer<byte[], byte[]>? _producer;
    private long _committed;
    private long _aborted;

    /// <summary>Creates the transactions of one pipeline instance.</summary>
    /// <param name="options">The brokers and client settings (the producer's).</param>
    /// <param name="transactionalId">The instance's <c>transactional.id</c>: unique per instance, stable across its restarts.</param>
    public KafkaTransactions(KafkaStreamOptions options, string transactionalId)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(transactionalId);
        options.Validate();
        Options = options;
        TransactionalId = transactionalId;
    }

    /// <summary>Gets the producer's settings.</summary>
    public KafkaStreamOptions Options { get; }

    /// <summary>Gets the <c>transactional.id</c>.</summary>
    public string TransactionalId { get; }

    /// <summary>Gets how many transactions were committed.</summary>
    public long Committed => Interlocked.Read(ref _committed);

    /// <summary>Gets how many transactions this instance aborted (not counting one the brokers abort because the producer was fenced).</summary>
    public long Aborted => Interlocked.Read(ref _aborted);

    /// <summary>One transaction operation at a time (pipeline commits and rebalances).</summary>
    internal Lock Gate { get; } = new();

    /// <summary>Creates the producer, fences earlier instances and begins the first transaction (the sink's open).</summary>
    internal IProducer<byte[], byte[]> Open()
    {
        lock (Gate)
        {
            if (_producer is { } open)
            {
                return open;
            }

            var config = KafkaSink.CreateProducerConfig(Options);
            config.TransactionalId = TransactionalId;
            var producer = KafkaClientFactory.Producer(config, Options, "transactional producer");
            try
            {
                producer.InitTransactions(Options.OperationTimeout);
                producer.BeginTransaction();
            }
            catch (KafkaException exception)
            {
                producer.Dispose();
                throw KafkaErrors.Map(exception, $"Starting the transactions of '{TransactionalId}'");
            }

            _producer = producer;
            return producer;
        }
    }

    /// <summary>
    /// Sends <paramref name="offsets"/> to the open transaction, commits it and begins the next one. Holds <see cref="Gate"/>.
    /// A retriable error (a coordinator moving, a timeout) repeats the call, as librdkafka allows, up to
    /// <see cref="CommitAttempts"/> times; a fenced producer stops the run (another instance owns the
    /// <see cref="TransactionalId"/> now, and the brokers abort this one's transaction); any other error aborts the transaction
    /// and stops the run. Restarting resumes from the last committed transaction either way.
    /// </summary>
    internal void Commit(List<TopicPartitionOffset> offsets, IConsumerGroupMetadata group)
    {
        var producer = RequireOpen();
        try
        {
            if (offsets.Count > 0)
            {
                Retrying(() => producer.SendOffsetsToTransaction(offsets, group, Options.OperationTimeout));
            }

            Retrying(() => producer.CommitTransaction(Options.OperationTimeout));
            Interlocked.Increment(ref _committed);
            producer.BeginTransaction();
        }
        catch (KafkaException exception) when (IsFenced(exception.Error))
        {
            throw Fenced(exception);
        }
        catch (KafkaException exception)
        {
            Abort();
            throw new DataWeaverException(
                ErrorClass.Fatal,
                KafkaSecrets.Scrub($"Committing the transaction of '{TransactionalId}' failed ({exception.Error.Code}: {exception.Error.Reason}); it was aborted. Restarting resumes from the last committed transaction."),
                exception);
        }
    }

    /// <summary>Gets how many times a transaction call that failed with a retriable error is made in all.</summary>
    internal const int CommitAttempts = 3;

    /// <summary>True for the errors of a producer that a newer instance with the same <c>transactional.id</c> fenced (a zombie).</summary>
    internal static bool IsFenced(Error error) =>
        error.Code is ErrorCode.ProducerFenced or ErrorCode.InvalidProducerEpoch or ErrorCode.Local_Fenced;

    /// <summary>The error of a fenced producer: fatal, naming the transactional id, never retried.</summary>
    internal DataWeaverException Fenced(KafkaException exception) => new(
        ErrorClass.Fatal,
        KafkaSecrets.Scrub(
            $"The transactional producer '{TransactionalId}' was fenced ({exception.Error.Code}: {exception.Error.Reason}): another instance with the same " +
            "transactional.id took over, so this one stops without committing; the brokers abort its open transaction. Run one instance per transactional.id."),
        exception);

    private static void Retrying(Action call)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                call();
                return;
            }
            catch (KafkaRetriableException) when (attempt < CommitAttempts)
            {
                // librdkafka: a retriable error from SendOffsetsToTransaction or CommitTransaction may be retried by calling again.
            }
        }
    }

    /// <summary>Aborts the open transaction (best effort) and begins the next one. Holds <see cref="Gate"/>.</summary>
    internal void Abort()
    {
        var producer = RequireOpen();
        try
        {
            producer.AbortTransaction(Options.OperationTimeout);
            Interlocked.Increment(ref _aborted);
            producer.BeginTransaction();
        }
        catch (KafkaException)
        {
            // A fenced or fatally failed producer: its transaction is aborted by the broker (timeout or the next instance).
        }
    }

    /// <summary>Aborts the open transaction and disposes the producer (the sink's close).</summary>
    internal void Close()
    {
        IProducer<byte[], byte[]>? producer;
        lock (Gate)
        {
            producer = _producer;
            _producer = null;
        }

        if (producer is null)
        {
            return;
        }

        try
        {
            producer.AbortTransaction(Options.OperationTimeout);
        }
        catch (KafkaException)
        {
            // Nothing open, or the producer failed: the broker aborts what is left.
        }

        producer.Dispose();
    }

    private IProducer<byte[], byte[]> RequireOpen() =>
        _producer ?? throw new InvalidOperationException($"The transactions of '{TransactionalId}' are not open: the pipeline's KafkaSink opens them.");
}
