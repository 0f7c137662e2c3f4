using System.Collections.Concurrent;
using System.Globalization;
using Confluent.Kafka;
using Confluent.Kafka.Admin;
using DataWeaver.Errors;
using DataWeaver.Records;
using DataWeaver.Streams;

namespace DataWeaver.Kafka;

/// <summary>
/// The Kafka implementation of <see cref="IStreamFramework"/> over
/// Confluent.Kafka 2.16: topics are streams, one idempotent producer serves every produce call, and every
/// <see cref="ConsumeStreamAsync"/> is a Confluent consumer in a consumer group with manual commits.
/// </summary>
/// <remarks>
/// <para>
/// The producer is idempotent with <c>acks=all</c> and the <c>murmur2_random</c> partitioner, so a key lands on the
/// partition <see cref="StreamPartitioner.ForKey"/> picks in process; a message without a key goes to a random
/// partition (librdkafka's choice) rather than round-robin. A produce completes when the brokers acknowledged it.
/// </para>
/// <para>
/// Errors are <see cref="StreamFrameworkException"/>s (see <see cref="KafkaErrors"/>), except errors librdkafka calls
/// retriable, which are transient <see cref="Errors.DataWeaverException"/>s.
/// </para>
/// </remarks>
public sealed class KafkaStreamFramework : IStreamFramework
{
    private const int NotStarted = 0;
    private const int Running = 1;
    private const int Stopped = 2;

    private readonly ConcurrentDictionary<KafkaStreamConsumer, byte> _consumers = new();
    private readonly ConcurrentDictionary<string, int> _partitionCounts = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _startLock = new(1, 1);
    private IProducer<byte[], byte[]>? _producer;
    private IConsumer<byte[], byte[]>? _watermarkClient;
    private int _state;

    /// <summary>Creates the framework; <see cref="StartAsync"/> connects it.</summary>
    /// <param name="options">Where the brokers are and further settings.</param>
    public KafkaStreamFramework(KafkaStreamOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
    }

    /// <summary>Gets the framework's settings.</summary>
    public KafkaStreamOptions Options { get; }

    /// <inheritdoc />
    public string Name => Options.Name;

    /// <inheritdoc />
    public async ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_state == Stopped)
            {
                throw new StreamFrameworkException(StreamErrorCode.Stopped, $"Stream framework '{Name}' was stopped and cannot start again.");
            }

            if (_state == Running)
            {
                return;
            }

            KafkaNativeLibrary.EnsureLoaded();
            var producer = KafkaClientFactory.Producer(CreateProducerConfig(), Options);
            _producer = producer;
            Volatile.Write(ref _state, Running);
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask StopAsync(CancellationToken cancellationToken = default)
    {
        await _startLock.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (Interlocked.Exchange(ref _state, Stopped) != Running)
            {
                return;
            }

            foreach (var consumer in _consumers.Keys)
            {
                await consumer.DisposeAsync().ConfigureAwait(false);
            }

            var producer = _producer!;
            await Task.Run(() => producer.Flush(Options.OperationTimeout), CancellationToken.None).ConfigureAwait(false);
            _watermarkClient?.Dispose();
            producer.Dispose();
        }
        finally
        {
            _startLock.Release();
        }
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => StopAsync();

    /// <inheritdoc />
    /// <remarks>
    /// Creates the topic through the admin API (<c>CreateTopics</c>) with <see cref="KafkaStreamOptions.ReplicationFactor"/>,
    /// unless the metadata already lists it; a topic that exists with the same partition count is success.
    /// librdkafka's mock cluster does not serve <c>CreateTopics</c>: there topics are created beforehand (the test
    /// fixture's <c>CreateTopic</c>) and this call only checks them.
    /// </remarks>
    public async ValueTask CreateStreamAsync(string topic, int partitions = 1, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        if (partitions < 1)
        {
            throw new StreamFrameworkException(
                StreamErrorCode.InvalidPartitionCount, $"Stream '{topic}' cannot have {partitions} partitions; the partition count must be at least 1.", topic);
        }

        RequireRunning();
        var existing = await TryGetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        if (existing is null)
        {
            using var admin = CreateAdminClient();
            try
            {
                await admin.CreateTopicsAsync(
                    [new TopicSpecification { Name = topic, NumPartitions = partitions, ReplicationFactor = Options.ReplicationFactor }],
                    new CreateTopicsOptions { OperationTimeout = Options.OperationTimeout, RequestTimeout = Options.OperationTimeout })
                    .WaitAsync(cancellationToken).ConfigureAwait(false);
                _partitionCounts[topic] = partitions;
                return;
            }
            catch (CreateTopicsException exception) when (exception.Results.All(r => r.Error.Code == ErrorCode.TopicAlreadyExists))
            {
                existing = await TryGetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false) ?? partitions;
            }
            catch (CreateTopicsException exception)
            {
                var error = exception.Results.Select(r => r.Error).FirstOrDefault(e => e.IsError) ?? exception.Error;
                throw KafkaErrors.Map(error, $"Creating stream '{topic}'", topic, inner: exception);
            }
            catch (KafkaException exception)
            {
                throw KafkaErrors.Map(exception, $"Creating stream '{topic}'", topic);
            }
        }

        if (existing != partitions)
        {
            throw new StreamFrameworkException(
                StreamErrorCode.TopicAlreadyExists, $"Stream '{topic}' already exists with {existing} partition(s), not {partitions}.", topic);
        }
    }

    /// <inheritdoc />
    public async ValueTask<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        RequireRunning();
        return await TryGetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false)
            ?? throw new StreamFrameworkException(StreamErrorCode.UnknownTopic, $"Stream '{topic}' does not exist on '{Options.BootstrapServers}'.", topic);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PartitionWatermarks>> GetWatermarksAsync(string topic, CancellationToken cancellationToken = default)
    {
        var partitions = await GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        var client = GetWatermarkClient();
        var timeout = Options.OperationTimeout;
        return await Task.Run(
            () =>
            {
                var result = new PartitionWatermarks[partitions];
                for (var partition = 0; partition < partitions; partition++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    try
                    {
                        var offsets = client.QueryWatermarkOffsets(new TopicPartition(topic, partition), timeout);
                        result[partition] = new PartitionWatermarks(partition, offsets.Low.Value, offsets.High.Value);
                    }
                    catch (KafkaException exception)
                    {
                        throw KafkaErrors.Map(exception, $"Querying the watermarks of '{topic}' [{partition}]", topic, partition);
                    }
                }

                return (IReadOnlyList<PartitionWatermarks>)result;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<StreamDeliveryResult> ProduceMessageAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        var producer = RequireRunning()._producer!;
        var partitions = await GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        Validate(topic, partitions, message);
        try
        {
            var result = await producer.ProduceAsync(Destination(topic, message), ToKafka(message), cancellationToken).ConfigureAwait(false);
            return new StreamDeliveryResult(topic, result.Partition.Value, result.Offset.Value, new DateTimeOffset(result.Timestamp.UtcDateTime));
        }
        catch (ProduceException<byte[], byte[]> exception)
        {
            throw KafkaErrors.Map(exception, $"Producing to '{topic}'", topic, message.Partition);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Validates every message (partition, size), then hands all of them to the producer with one delivery handler
    /// (no wait per message) and completes once every delivery report arrived. When the producer's queue is full it
    /// waits asynchronously for room. A failed delivery fails the call after the other reports arrived.
    /// </remarks>
    public async ValueTask ProduceMessagesAsync(string topic, ReadOnlyMemory<OutgoingMessage> messages, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        var producer = RequireRunning()._producer!;
        var count = messages.Length;
        if (count == 0)
        {
            return;
        }

        var partitions = await GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        for (var i = 0; i < count; i++)
        {
            Validate(topic, partitions, messages.Span[i]);
        }

        var batch = new DeliveryBatch(count);
        var produced = 0;
        try
        {
            while (produced < count)
            {
                var message = messages.Span[produced];
                try
                {
                    producer.Produce(Destination(topic, message), ToKafka(message), batch.Handler);
                    produced++;
                }
                catch (ProduceException<byte[], byte[]> exception) when (exception.Error.Code == ErrorCode.Local_QueueFull)
                {
                    await Task.Delay(1, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (ProduceException<byte[], byte[]> exception)
        {
            batch.Fail(count - produced, KafkaErrors.Map(exception, $"Producing to '{topic}'", topic, messages.Span[produced].Partition));
        }
        catch (OperationCanceledException exception)
        {
            batch.Fail(count - produced, exception);
        }

        await batch.Completion.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The consumer joins the group <see cref="StreamConsumerOptions.GroupId"/> with the protocol of
    /// <see cref="KafkaStreamOptions.GroupProtocol"/>, automatic commits and offset stores off; only <see cref="IStreamConsumer.CommitAsync"/> commits. It polls on a dedicated thread with short
    /// timeouts and buffers up to <see cref="KafkaStreamOptions.ConsumerBufferMessages"/> messages ahead of the reader,
    /// pausing its partitions beyond that. A group without committed offsets starts at
    /// <see cref="StreamConsumerOptions.StartFrom"/> (<c>auto.offset.reset</c>). The first assignment arrives after the
    /// group's join (seconds); until then <see cref="IStreamConsumer.Assignment"/> is empty.
    /// </remarks>
    public async ValueTask<IStreamConsumer> ConsumeStreamAsync(string topic, StreamConsumerOptions? options = null, CancellationToken cancellationToken = default) =>
        await ConsumeStreamCoreAsync(topic, options, transactions: null, cancellationToken).ConfigureAwait(false);

    /// <summary>A group consumer whose commits go through <paramref name="transactions"/> when given (exactly once).</summary>
    internal async ValueTask<KafkaStreamConsumer> ConsumeStreamCoreAsync(string topic, StreamConsumerOptions? options, KafkaTransactions? transactions, CancellationToken cancellationToken)
    {
        options ??= new StreamConsumerOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(options.GroupId);
        var partitions = await GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        var config = Apply(Options.ConsumerSettings, Apply(Apply(Options.GroupProtocolSettings(), new ConsumerConfig
        {
            BootstrapServers = Options.BootstrapServers,
            ClientId = Options.ClientId,
            GroupId = options.GroupId,
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            AutoOffsetReset = options.StartFrom == StreamStartPosition.Latest ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
        })));
        var consumer = new KafkaStreamConsumer(this, topic, partitions, options, config, transactions);
        _consumers[consumer] = 0;
        if (Volatile.Read(ref _state) != Running)
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
            RequireRunning();
        }

        consumer.Start();
        return consumer;
    }

    /// <summary>
    /// Gets a consumer group's committed offsets on a stream without joining the group (no rebalance), one per
    /// partition, ascending; a partition without a committed offset reports 0.
    /// </summary>
    /// <param name="topic">The stream.</param>
    /// <param name="groupId">The consumer group.</param>
    /// <param name="cancellationToken">Aborts the call.</param>
    /// <returns>The committed offset (next to read) of every partition.</returns>
    /// <exception cref="StreamFrameworkException"><see cref="StreamErrorCode.UnknownTopic"/>.</exception>
    public async ValueTask<IReadOnlyList<SourcePosition>> GetCommittedOffsetsAsync(string topic, string groupId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(groupId);
        var partitions = await GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        var config = Apply(new ConsumerConfig { BootstrapServers = Options.BootstrapServers, ClientId = Options.ClientId, GroupId = groupId, EnableAutoCommit = false });
        var timeout = Options.OperationTimeout;
        return await Task.Run(
            () =>
            {
                using var client = KafkaClientFactory.Consumer(config, Options);
                try
                {
                    return ReadCommitted(client, topic, partitions, timeout);
                }
                catch (KafkaException exception)
                {
                    throw KafkaErrors.Map(exception, $"Reading the committed offsets of '{topic}' for group '{groupId}'", topic);
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    internal static IReadOnlyList<SourcePosition> ReadCommitted(IConsumer<byte[], byte[]> client, string topic, int partitions, TimeSpan timeout)
    {
        var committed = client.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), timeout);
        return [.. committed.OrderBy(c => c.Partition.Value).Select(c => new SourcePosition(c.Partition.Value, c.Offset.IsSpecial ? 0 : c.Offset.Value))];
    }

    internal void Forget(KafkaStreamConsumer consumer) => _consumers.TryRemove(consumer, out _);

    private static Message<byte[], byte[]> ToKafka(in OutgoingMessage message)
    {
        Headers? headers = null;
        if (message.Headers is { Count: > 0 } source)
        {
            headers = [];
            foreach (var header in source)
            {
                headers.Add(header.Name, header.Value.ToArray());
            }
        }

        return new Message<byte[], byte[]>
        {
            Key = message.Key.IsEmpty ? null! : message.Key.ToArray(),
            Value = message.Value.ToArray(),
            Headers = headers,
            Timestamp = message.Timestamp is { } timestamp ? new Timestamp(timestamp) : Timestamp.Default,
        };
    }

    private static TopicPartition Destination(string topic, in OutgoingMessage message) =>
        new(topic, message.Partition is { } partition ? new Partition(partition) : Partition.Any);

    private void Validate(string topic, int partitions, in OutgoingMessage message)
    {
        if (message.Partition is { } partition && (partition < 0 || partition >= partitions))
        {
            throw new StreamFrameworkException(
                StreamErrorCode.UnknownPartition, $"Stream '{topic}' has no partition {partition}; it has {partitions}.", topic, partition);
        }

        var size = (long)message.Key.Length + message.Value.Length;
        if (message.Headers is { } headers)
        {
            foreach (var header in headers)
            {
                size += header.Name.Length + header.Value.Length;
            }
        }

        if (size > Options.MaxMessageBytes)
        {
            throw new StreamFrameworkException(
                StreamErrorCode.MessageTooLarge,
                $"A message of {size:N0} bytes for stream '{topic}' exceeds the {Options.MaxMessageBytes:N0}-byte limit (KafkaStreamOptions.MaxMessageBytes).",
                topic,
                message.Partition);
        }
    }

    private async ValueTask<int?> TryGetPartitionCountAsync(string topic, CancellationToken cancellationToken)
    {
        if (_partitionCounts.TryGetValue(topic, out var cached))
        {
            return cached;
        }

        var timeout = Options.OperationTimeout;
        Metadata metadata;
        try
        {
            // All topics' metadata: asking for one topic by name may auto-create it (brokers with auto.create.topics.enable).
            metadata = await Task.Run(
                () =>
                {
                    using var admin = CreateAdminClient();
                    return admin.GetMetadata(timeout);
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException exception) when (exception.Error.Code is ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_TimedOut)
        {
            // The first call every source and sink makes: the place to say plainly that no broker answers.
            throw new DataWeaverException(
                ErrorClass.Transient,
                KafkaSecrets.Scrub(string.Create(
                    CultureInfo.InvariantCulture,
                    $"No Kafka broker at '{Options.BootstrapServers}' answered within {timeout.TotalSeconds:0.###} s (operationTimeout) while reading the metadata of '{topic}': {exception.Error.Code} ({exception.Error.Reason}).")),
                exception);
        }
        catch (KafkaException exception)
        {
            throw KafkaErrors.Map(exception, $"Reading the metadata of '{topic}'", topic);
        }

        var found = metadata.Topics.FirstOrDefault(t => string.Equals(t.Topic, topic, StringComparison.Ordinal));
        if (found is null || found.Error.Code == ErrorCode.UnknownTopicOrPart || found.Partitions.Count == 0)
        {
            return null;
        }

        _partitionCounts[topic] = found.Partitions.Count;
        return found.Partitions.Count;
    }

    private IConsumer<byte[], byte[]> GetWatermarkClient()
    {
        var client = Volatile.Read(ref _watermarkClient);
        if (client is not null)
        {
            return client;
        }

        var config = Apply(new ConsumerConfig
        {
            BootstrapServers = Options.BootstrapServers,
            ClientId = Options.ClientId,
            GroupId = Options.ClientId + "-watermarks",
            EnableAutoCommit = false,
        });
        var created = KafkaClientFactory.Consumer(config, Options);
        if (Interlocked.CompareExchange(ref _watermarkClient, created, null) is { } other)
        {
            created.Dispose();
            return other;
        }

        return created;
    }

    private ProducerConfig CreateProducerConfig() => CreateProducerConfig(Options);

    /// <summary>
    /// A short-lived admin client for one rare call (topic creation, metadata; partition counts are cached). Not one kept
    /// for the framework's life: a client built on the producer's handle (DependentAdminClientBuilder) spins its poll thread,
    /// about 29% of a core and 250 MB/s of garbage while idle (found by the perf suite's W6).
    /// </summary>
    private IAdminClient CreateAdminClient() =>
        KafkaClientFactory.Admin(Apply(new AdminClientConfig { BootstrapServers = Options.BootstrapServers, ClientId = Options.ClientId }), Options);

    /// <summary>
    /// Settings of a consumer that reads assigned partitions outside any group (<see cref="KafkaLookupTable"/>): never
    /// commits, reports each partition's end (<c>enable.partition.eof</c>), reads committed data only; then
    /// <see cref="KafkaStreamOptions.Settings"/> and <see cref="KafkaStreamOptions.ConsumerSettings"/>.
    /// </summary>
    internal ConsumerConfig CreateReaderConfig(string purpose) => Apply(Options.ConsumerSettings, Apply(new ConsumerConfig
    {
        BootstrapServers = Options.BootstrapServers,
        ClientId = Options.ClientId,
        GroupId = Options.ClientId + "-" + purpose,
        EnableAutoCommit = false,
        EnableAutoOffsetStore = false,
        EnablePartitionEof = true,
        AutoOffsetReset = AutoOffsetReset.Earliest,
        IsolationLevel = IsolationLevel.ReadCommitted,
    }));

    /// <summary>The framework's producer settings for <paramref name="options"/> (shared with <see cref="KafkaSink"/>).</summary>
    internal static ProducerConfig CreateProducerConfig(KafkaStreamOptions options) => Apply(options.Settings, new ProducerConfig
    {
        BootstrapServers = options.BootstrapServers,
        ClientId = options.ClientId,
        EnableIdempotence = true,
        Acks = Acks.All,
        Partitioner = Confluent.Kafka.Partitioner.Murmur2Random,
        LingerMs = 5,
        BatchNumMessages = 10_000,
        MessageMaxBytes = Math.Max(options.MaxMessageBytes + 1024, 1_000_000),
    });

    private static T Apply<T>(IEnumerable<KeyValuePair<string, string>>? settings, T config)
        where T : ClientConfig
    {
        if (settings is not null)
        {
            foreach (var (name, value) in settings)
            {
                config.Set(name, value);
            }
        }

        return config;
    }

    private T Apply<T>(T config)
        where T : ClientConfig
    {
        if (Options.Settings is { } settings)
        {
            foreach (var (name, value) in settings)
            {
                config.Set(name, value);
            }
        }

        return config;
    }

    private KafkaStreamFramework RequireRunning()
    {
        switch (Volatile.Read(ref _state))
        {
            case Running:
                return this;
            case NotStarted:
                throw new StreamFrameworkException(StreamErrorCode.NotStarted, $"Stream framework '{Name}' is not started; call StartAsync first.");
            default:
                throw new StreamFrameworkException(StreamErrorCode.Stopped, $"Stream framework '{Name}' is stopped.");
        }
    }

    /// <summary>The delivery reports of one <see cref="ProduceMessagesAsync"/> call.</summary>
    private sealed class DeliveryBatch
    {
        private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Exception? _error;
        private int _remaining;

        public DeliveryBatch(int count)
        {
            _remaining = count;
            Handler = OnDelivery;
        }

        public Action<DeliveryReport<byte[], byte[]>> Handler { get; }

        public Task Completion => _completion.Task;

        public void Fail(int notProduced, Exception error)
        {
            Interlocked.CompareExchange(ref _error, error, null);
            Done(notProduced);
        }

        private void OnDelivery(DeliveryReport<byte[], byte[]> report)
        {
            if (report.Error.IsError)
            {
                Interlocked.CompareExchange(
                    ref _error, KafkaErrors.Map(report.Error, $"Producing to '{report.Topic}'", report.Topic, report.Partition.Value), null);
            }

            Done(1);
        }

        private void Done(int count)
        {
            if (Interlocked.Add(ref _remaining, -count) != 0)
            {
                return;
            }

            if (Volatile.Read(ref _error) is { } error)
            {
                _completion.TrySetException(error);
            }
            else
            {
                _completion.TrySetResult();
            }
        }
    }
}
