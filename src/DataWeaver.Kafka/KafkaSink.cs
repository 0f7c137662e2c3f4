using System.Runtime.ExceptionServices;
using System.Runtime.InteropServices;
using Confluent.Kafka;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Records;
using DataWeaver.Tracing;
using DataWeaver.Streams;

namespace DataWeaver.Kafka;

/// <summary>
/// Produces each record's key, value, headers (and optionally partition and timestamp) to a Kafka topic with its
/// own idempotent producer, acknowledging a batch from the producer's delivery reports: a batch is handed to
/// librdkafka without waiting for the brokers, and its <see cref="SinkAcknowledgement"/> is called once the last
/// delivery report of the batch arrived and every message of it was stored.
/// </summary>
/// <remarks>
/// <para>
/// The producer is the one <see cref="KafkaStreamFramework"/> builds (idempotent, <c>acks=all</c>,
/// <c>murmur2_random</c>, so keys land where <see cref="StreamPartitioner.ForKey"/> puts them), from the same
/// <see cref="KafkaStreamOptions"/>, but owned by the sink: created in <see cref="OpenAsync"/>, disposed in
/// <see cref="CloseAsync"/>. <see cref="FlushAsync"/> waits for this sink's messages only, and the sink's settings
/// (<see cref="KafkaStreamOptions.Settings"/>) do not change the framework's producer.
/// </para>
/// <para>
/// Errors: a message librdkafka refuses when it is produced (too large for <c>message.max.bytes</c>, unknown
/// partition) fails that <see cref="WriteBatchAsync"/> at once. A failed delivery report (after librdkafka's own
/// retries) fails the run at once through <see cref="SinkAcknowledgement.Fail"/>: the batch is never acknowledged,
/// so its positions are never committed, and the next <see cref="WriteBatchAsync"/> and every <see cref="FlushAsync"/>
/// throw the error too, classified by <see cref="KafkaErrors.Map(Error, string, string?, int?, Exception?)"/>
/// (message too large: data; retriable: transient; anything else: fatal). A faulted sink stays faulted until the
/// next run opens it again.
/// </para>
/// </remarks>
public sealed class KafkaSink : SinkConnector<Record<ReadOnlyMemory<byte>>>
{
    private readonly object _gate = new();
    private IProducer<byte[], byte[]>? _producer;
    private Exception? _fault;
    private Exception? _purgeFault; // a purged message: the consequence of another failure, reported only without one
    private long _inFlight;
    private TopicPartition? _anyPartition;
    private TopicPartition[] _partitions = [];

    /// <summary>Creates the sink.</summary>
    /// <param name="options">Where the brokers are and further producer settings (<see cref="KafkaStreamOptions.Settings"/>).</param>
    /// <param name="topic">The topic to produce to; it must exist.</param>
    /// <param name="sinkOptions">Partitioning and timestamps; <see langword="null"/> uses the defaults (partition by key, keep timestamps).</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>kafka:{topic}</c>.</param>
    public KafkaSink(KafkaStreamOptions options, string topic, StreamSinkOptions? sinkOptions = null, string? name = null)
        : base(name ?? "kafka:" + topic)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        options.Validate();
        Options = options;
        Topic = topic;
        SinkOptions = sinkOptions ?? new StreamSinkOptions();
    }

    /// <summary>Creates a sink that writes inside the transactions of an exactly-once pipeline (see <see cref="KafkaTransactions"/>).</summary>
    /// <param name="transactions">The transactions, shared with the pipeline's <see cref="KafkaSource"/>.</param>
    /// <param name="topic">The topic to produce to; it must exist.</param>
    /// <param name="sinkOptions">Partitioning and timestamps; <see langword="null"/> uses the defaults (partition by key, keep timestamps).</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>kafka:{topic}</c>.</param>
    public KafkaSink(KafkaTransactions transactions, string topic, StreamSinkOptions? sinkOptions = null, string? name = null)
        : this((transactions ?? throw new ArgumentNullException(nameof(transactions))).Options, topic, sinkOptions, name)
    {
        Transactions = transactions;
    }

    /// <summary>Gets the transactions the sink writes in, or <see langword="null"/> (the default) for an idempotent, non-transactional producer.</summary>
    public KafkaTransactions? Transactions { get; }

    /// <summary>Gets the producer's settings.</summary>
    public KafkaStreamOptions Options { get; }

    /// <summary>Gets the topic written to.</summary>
    public string Topic { get; }

    /// <summary>Gets the partitioning and timestamp options.</summary>
    /// <value>The default keeps timestamps and partitions by key (<see cref="StreamSinkOptions.KeepPartition"/> is <see langword="false"/>).</value>
    public StreamSinkOptions SinkOptions { get; }

    /// <summary>Gets how many produced messages still wait for their delivery report.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>Runs before the producer is created (definition files: start the framework, create the topic).</summary>
    internal Func<CancellationToken, ValueTask>? BeforeOpen { get; init; }

    /// <inheritdoc />
    /// <remarks>Creates the producer and clears the fault of a previous run.</remarks>
    public override ValueTask OpenAsync(CancellationToken cancellationToken = default) =>
        BeforeOpen is { } prepare ? PrepareThenOpenAsync(prepare, cancellationToken) : Open();

    private async ValueTask PrepareThenOpenAsync(Func<CancellationToken, ValueTask> prepare, CancellationToken cancellationToken)
    {
        await prepare(cancellationToken).ConfigureAwait(false);
        await Open().ConfigureAwait(false);
    }

    private ValueTask Open()
    {
        KafkaNativeLibrary.EnsureLoaded();
        lock (_gate)
        {
            _producer ??= Transactions?.Open() ?? KafkaClientFactory.Producer(CreateProducerConfig(Options), Options);
            _fault = null;
            _purgeFault = null;
            Interlocked.Exchange(ref _inFlight, 0); // a previous run's producer is disposed: no report of it arrives any more
        }

        return default;
    }

    /// <inheritdoc />
    /// <remarks>Disposes the producer; messages not delivered by then are not acknowledged.</remarks>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        IProducer<byte[], byte[]>? producer;
        lock (_gate)
        {
            producer = _producer;
            _producer = null;
        }

        if (producer is not null)
        {
            await Task.Run(Transactions is { } transactions ? transactions.Close : producer.Dispose, CancellationToken.None).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("KafkaSink acknowledges from delivery reports: the pipeline calls WriteBatchAsync.");

    /// <inheritdoc />
    /// <remarks>
    /// Hands every record to the producer with one delivery handler for the batch (no wait per message) and returns
    /// once all are queued in librdkafka; when its queue is full it waits asynchronously for room. The
    /// acknowledgement is called from the delivery report thread once every message of the batch was stored.
    /// </remarks>
    public override async ValueTask WriteBatchAsync(
        ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, SinkAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
    {
        ThrowIfFaulted(includePurged: false);
        var producer = Volatile.Read(ref _producer)
            ?? throw new InvalidOperationException($"Sink '{Name}' is not open; the pipeline opens it (OpenAsync) before writing.");
        var count = batch.Length;
        if (count == 0)
        {
            acknowledgement.Acknowledge();
            return;
        }

        var delivery = new BatchDelivery(this, acknowledgement, count);
        var keepPartition = SinkOptions.KeepPartition;
        var anyPartition = _anyPartition ??= new TopicPartition(Topic, Partition.Any);
        var keepTimestamp = SinkOptions.KeepTimestamp;
        var trace = OutgoingTraceContext.Capture();
        var produced = 0;
        try
        {
            while (produced < count)
            {
                var record = batch.Span[produced];
                var destination = keepPartition ? Destination(record.Position.Partition) : anyPartition;
                var message = ToKafka(record, keepTimestamp, trace);
                Interlocked.Increment(ref _inFlight);
                try
                {
                    producer.Produce(destination, message, delivery.Handler);
                    produced++;
                }
                catch (ProduceException<byte[], byte[]> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
                {
                    Interlocked.Decrement(ref _inFlight);
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }
                catch
                {
                    Interlocked.Decrement(ref _inFlight);
                    throw;
                }
            }
        }
        catch (ProduceException<byte[], byte[]> exception)
        {
            delivery.Abandon();
            if (Transactions is not null && exception.Error.Code == ErrorCode.Local_State)
            {
                // librdkafka 2.x refuses to produce into a transaction that must be aborted: what failed it is a
                // delivery report still on its way. Wait for the reports (bounded) and throw that cause instead.
                await WaitForDeliveryReportsAsync(cancellationToken).ConfigureAwait(false);
            }

            throw KafkaErrors.Map(exception, $"Producing to '{Topic}'", Topic, keepPartition ? batch.Span[produced].Position.Partition : null);
        }
        catch
        {
            delivery.Abandon();
            throw;
        }

        delivery.AllProduced();
    }

    /// <inheritdoc />
    /// <remarks>
    /// Flushes the producer and waits until every delivery report of this sink arrived (at most
    /// <see cref="KafkaStreamOptions.OperationTimeout"/>), then throws the fault of a failed delivery, if any.
    /// </remarks>
    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default)
    {
        var producer = Volatile.Read(ref _producer);
        if (producer is not null)
        {
            var timeout = Options.OperationTimeout;
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            await Task.Run(() => producer.Flush(timeout), cancellationToken).ConfigureAwait(false);
            while (Interlocked.Read(ref _inFlight) > 0)
            {
                if (System.Diagnostics.Stopwatch.GetElapsedTime(started) > timeout)
                {
                    ThrowIfFaulted();
                    throw new DataWeaverException(
                        ErrorClass.Transient,
                        $"Flushing '{Topic}': {Interlocked.Read(ref _inFlight):N0} message(s) still without a delivery report after {timeout.TotalSeconds:N0} s.");
                }

                await Task.Delay(1, cancellationToken).ConfigureAwait(false);
            }
        }

        ThrowIfFaulted();
    }

    /// <summary>Waits until every delivery report arrived (at most the operation timeout), then throws a delivery failure if one came.</summary>
    private async ValueTask WaitForDeliveryReportsAsync(CancellationToken cancellationToken)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        while (Interlocked.Read(ref _inFlight) > 0 && Volatile.Read(ref _fault) is null
            && System.Diagnostics.Stopwatch.GetElapsedTime(started) < Options.OperationTimeout)
        {
            await Task.Delay(1, cancellationToken).ConfigureAwait(false);
        }

        ThrowIfFaulted(includePurged: false);
    }

    /// <summary>
    /// Throws the sink's fault. A purge alone (<paramref name="includePurged"/> false: a write) is no reason to refuse
    /// the next batch: the aborted transaction's cause fails the run, and the purged batch is never acknowledged. A flush,
    /// which waited for every report, throws it when nothing else failed.
    /// </summary>
    private void ThrowIfFaulted(bool includePurged = true)
    {
        if ((Volatile.Read(ref _fault) ?? (includePurged ? Volatile.Read(ref _purgeFault) : null)) is { } fault)
        {
            // The delivery error itself (its class and code), thrown again by every call until the next run.
            ExceptionDispatchInfo.Throw(fault);
        }
    }

    private void Fault(Exception error) => Interlocked.CompareExchange(ref _fault, error, null);

    /// <summary>
    /// The producer settings of a sink: the framework's (<see cref="KafkaStreamFramework.CreateProducerConfig(KafkaStreamOptions)"/>),
    /// with delivery reports that carry no copy of the message (only its partition, offset and error are read), unless
    /// <see cref="KafkaStreamOptions.Settings"/> says otherwise.
    /// </summary>
    internal static ProducerConfig CreateProducerConfig(KafkaStreamOptions options)
    {
        var config = KafkaStreamFramework.CreateProducerConfig(options);
        if (config.Get(ConfigPropertyNames.Producer.DeliveryReportFields) is null)
        {
            config.DeliveryReportFields = "none";
        }

        return config;
    }

    /// <summary>The destination of a record kept in its partition: one <see cref="TopicPartition"/> per partition, made once.</summary>
    private TopicPartition Destination(int partition)
    {
        if ((uint)partition >= (uint)_partitions.Length)
        {
            if (partition < 0)
            {
                return new TopicPartition(Topic, new Partition(partition)); // refused by the producer, with its error
            }

            Array.Resize(ref _partitions, partition + 1);
        }

        return _partitions[partition] ??= new TopicPartition(Topic, new Partition(partition));
    }

    private static Message<byte[], byte[]> ToKafka(in Record<ReadOnlyMemory<byte>> record, bool keepTimestamp, in OutgoingTraceContext trace)
    {
        Headers? headers = null;
        if (trace.Apply(record.Headers) is { Count: > 0 } source)
        {
            headers = [];
            foreach (var header in source)
            {
                headers.Add(header.Name, header.Value.ToArray());
            }
        }

        return new Message<byte[], byte[]>
        {
            Key = record.Key.IsEmpty ? null! : AsArray(record.Key),
            Value = AsArray(record.Value),
            Headers = headers,
            Timestamp = keepTimestamp && record.Timestamp != default ? new Timestamp(record.Timestamp) : Timestamp.Default,
        };
    }

    /// <summary>The bytes as an array: the backing array itself when the memory spans all of it, else a copy.</summary>
    private static byte[] AsArray(ReadOnlyMemory<byte> bytes) =>
        MemoryMarshal.TryGetArray(bytes, out var segment) && segment.Offset == 0 && segment.Count == segment.Array!.Length
            ? segment.Array
            : bytes.ToArray();

    /// <summary>The delivery reports of one batch: acknowledges it when the last one arrived and all succeeded.</summary>
    private sealed class BatchDelivery
    {
        private readonly KafkaSink _sink;
        private readonly SinkAcknowledgement _acknowledgement;
        private int _remaining;
        private int _failed;
        private int _failReported;

        public BatchDelivery(KafkaSink sink, SinkAcknowledgement acknowledgement, int count)
        {
            _sink = sink;
            _acknowledgement = acknowledgement;
            _remaining = count + 1; // + 1 until every message is produced, so no report acknowledges early
            Handler = OnDelivery;
        }

        public Action<DeliveryReport<byte[], byte[]>> Handler { get; }

        public void AllProduced() => Done();

        public void Abandon()
        {
            Volatile.Write(ref _failed, 1);
            Done();
        }

        private void OnDelivery(DeliveryReport<byte[], byte[]> report)
        {
            try
            {
                if (report.Error.Code is ErrorCode.Local_PurgeQueue or ErrorCode.Local_PurgeInflight)
                {
                    // Purged by an aborted transaction (librdkafka 2.x purges on abort) or a closing producer: never
                    // acknowledged, but not the run's error. What caused the abort fails the run itself (a failed
                    // delivery report, a failed transaction commit), and its report may arrive after this one.
                    var error = KafkaErrors.Map(report.Error, $"Delivering to '{_sink.Topic}' [{report.Partition.Value}]", _sink.Topic, report.Partition.Value);
                    Interlocked.CompareExchange(ref _sink._purgeFault, error, null);
                    Volatile.Write(ref _failed, 1);
                }
                else if (report.Error.IsError)
                {
                    var error = KafkaErrors.Map(report.Error, $"Delivering to '{_sink.Topic}' [{report.Partition.Value}]", _sink.Topic, report.Partition.Value);
                    _sink.Fault(error);
                    Volatile.Write(ref _failed, 1);
                    if (Interlocked.Exchange(ref _failReported, 1) == 0)
                    {
                        _acknowledgement.Fail(error); // the run fails now, not at the next write (a stream may bring none)
                    }
                }

                Done();
            }
#pragma warning disable CA1031 // The delivery thread must not throw: the error faults the sink instead.
            catch (Exception exception)
#pragma warning restore CA1031
            {
                _sink.Fault(exception);
            }
            finally
            {
                Interlocked.Decrement(ref _sink._inFlight);
            }
        }

        private void Done()
        {
            if (Interlocked.Decrement(ref _remaining) == 0 && Volatile.Read(ref _failed) == 0)
            {
                _acknowledgement.Acknowledge();
            }
        }
    }
}
