using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using DataWeaver.Records;
using DataWeaver.Streams.Internal;

namespace DataWeaver.Streams.InProcess;

/// <summary>
/// The embedded stream framework: bounded in-memory streams with partitions and consumer groups, in this
/// process. Messages are not persisted; they live as long as the framework object.
/// </summary>
/// <remarks>
/// <para>
/// Each partition is an append-only log holding at most <see cref="InProcessStreamOptions.PartitionCapacity"/>
/// messages. When a partition is full, producers wait (asynchronously) until every consumer group of the
/// stream has committed past the oldest messages, which are then dropped. A stream no group has joined yet
/// keeps its newest messages instead.
/// </para>
/// <para>
/// Consumer groups keep a committed offset per partition that outlives their consumers. Partitions are
/// shared by range assignment: whenever a consumer joins or leaves, the group's members, in join order, each
/// get a contiguous range of partitions (the first <c>partitions % members</c> get one more).
/// </para>
/// </remarks>
public sealed class InProcessStreamFramework : IStreamFramework
{
    private const int NotStarted = 0;
    private const int Running = 1;
    private const int Stopped = 2;

    private readonly ConcurrentDictionary<string, InProcessTopic> _topics = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private readonly int _capacity;
    private readonly int _maxMessageBytes;
    private int _state;

    /// <summary>Creates the framework; call <see cref="StartAsync"/> before using it.</summary>
    /// <param name="options">The options; <see langword="null"/> uses the defaults. Copied.</param>
    /// <exception cref="ArgumentException">An option is out of range; the message lists every such option.</exception>
    public InProcessStreamFramework(InProcessStreamOptions? options = null)
    {
        Options = options is null ? new InProcessStreamOptions() : options with { };
        Options.Validate();
        _time = Options.TimeProvider;
        _capacity = Options.PartitionCapacity;
        _maxMessageBytes = Options.MaxMessageBytes;
    }

    /// <summary>Gets the options the framework was created with.</summary>
    public InProcessStreamOptions Options { get; }

    /// <inheritdoc />
    public string Name => Options.Name;

    /// <inheritdoc />
    public ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (Interlocked.CompareExchange(ref _state, Running, NotStarted) == Stopped)
        {
            throw new StreamFrameworkException(StreamErrorCode.Stopped, $"Stream framework '{Name}' was stopped and cannot start again.");
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask StopAsync(CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            if (Interlocked.Exchange(ref _state, Stopped) == Stopped)
            {
                return default;
            }

            foreach (var topic in _topics.Values)
            {
                lock (topic.Sync)
                {
                    topic.CloseLocked();
                }
            }
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask DisposeAsync() => StopAsync();

    /// <inheritdoc />
    public ValueTask CreateStreamAsync(string topic, int partitions = 1, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        cancellationToken.ThrowIfCancellationRequested();
        if (partitions is < 1 or > InProcessStreamOptions.MaxPartitions)
        {
            throw new StreamFrameworkException(
                StreamErrorCode.InvalidPartitionCount,
                $"Stream '{topic}' cannot have {partitions} partitions; the partition count must be from 1 to {InProcessStreamOptions.MaxPartitions}.",
                topic);
        }

        lock (_lock)
        {
            EnsureRunning();
            if (_topics.TryGetValue(topic, out var existing))
            {
                if (existing.Partitions.Length != partitions)
                {
                    throw new StreamFrameworkException(
                        StreamErrorCode.TopicAlreadyExists,
                        $"Stream '{topic}' already exists with {existing.Partitions.Length} partition(s), not {partitions}.",
                        topic);
                }

                return default;
            }

            _topics[topic] = new InProcessTopic(topic, partitions, _capacity);
        }

        return default;
    }

    /// <inheritdoc />
    public ValueTask<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return new ValueTask<int>(GetTopic(topic).Partitions.Length);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<PartitionWatermarks>> GetWatermarksAsync(string topic, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var stream = GetTopic(topic);
        lock (stream.Sync)
        {
            var result = new PartitionWatermarks[stream.Partitions.Length];
            foreach (var log in stream.Partitions)
            {
                result[log.Index] = new PartitionWatermarks(log.Index, log.Start, log.End);
            }

            return new ValueTask<IReadOnlyList<PartitionWatermarks>>(result);
        }
    }

    /// <inheritdoc />
    public ValueTask<StreamDeliveryResult> ProduceMessageAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        var stream = GetTopic(topic);
        var partition = ChoosePartition(stream, message);
        var stored = Store(stream, partition, message);
        if (cancellationToken.IsCancellationRequested)
        {
            return ValueTask.FromCanceled<StreamDeliveryResult>(cancellationToken);
        }

        PendingAppend pending;
        lock (stream.Sync)
        {
            if (stream.TryAppendLocked(partition, stored, out var offset))
            {
                return new ValueTask<StreamDeliveryResult>(new StreamDeliveryResult(stream.Name, partition, offset, stored.Timestamp));
            }

            pending = stream.Partitions[partition].Enqueue(stored);
        }

        return ProduceWhenRoomAsync(stream, partition, pending, cancellationToken);
    }

    /// <inheritdoc />
    public async ValueTask ProduceMessagesAsync(string topic, ReadOnlyMemory<OutgoingMessage> messages, CancellationToken cancellationToken = default)
    {
        var stream = GetTopic(topic);
        var count = messages.Length;
        if (count == 0)
        {
            return;
        }

        var partitions = ArrayPool<int>.Shared.Rent(count);
        var stored = ArrayPool<StoredMessage>.Shared.Rent(count);
        try
        {
            // Validate and copy everything first: a bad message rejects the batch before anything is stored.
            var span = messages.Span;
            for (var i = 0; i < count; i++)
            {
                partitions[i] = ChoosePartition(stream, span[i]);
                stored[i] = Store(stream, partitions[i], span[i]);
            }

            // Messages that find their partition full (or others already waiting there) queue in order behind them.
            cancellationToken.ThrowIfCancellationRequested();
            List<PendingAppend>? waiting = null;
            lock (stream.Sync)
            {
                for (var i = 0; i < count; i++)
                {
                    if (!stream.TryAppendLocked(partitions[i], stored[i], out _))
                    {
                        (waiting ??= []).Add(stream.Partitions[partitions[i]].Enqueue(stored[i]));
                    }
                }
            }

            if (waiting is not null)
            {
                await WaitStoredAsync(stream, waiting, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<StoredMessage>.Shared.Return(stored, clearArray: true);
            ArrayPool<int>.Shared.Return(partitions);
        }
    }

    /// <inheritdoc />
    public ValueTask<IStreamConsumer> ConsumeStreamAsync(string topic, StreamConsumerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StreamConsumerOptions();
        options.Validate();
        cancellationToken.ThrowIfCancellationRequested();
        var stream = GetTopic(topic);
        lock (stream.Sync)
        {
            if (stream.Closed)
            {
                StreamThrowHelper.ThrowStopped(stream.Name);
            }

            var group = stream.GetOrAddGroupLocked(options.GroupId, options.StartFrom);
            var consumer = new InProcessConsumer(stream, group);
            group.Members.Add(consumer);
            stream.RebalanceLocked(group);
            return new ValueTask<IStreamConsumer>(consumer);
        }
    }

    private static async ValueTask<StreamDeliveryResult> ProduceWhenRoomAsync(InProcessTopic stream, int partition, PendingAppend pending, CancellationToken cancellationToken)
    {
        await WaitStoredAsync(stream, [pending], cancellationToken).ConfigureAwait(false);
        return new StreamDeliveryResult(stream.Name, partition, pending.Stored.Result, pending.Message.Timestamp);
    }

    /// <summary>Waits until every queued append is stored; cancellation withdraws the ones not stored yet.</summary>
    private static async Task WaitStoredAsync(InProcessTopic stream, List<PendingAppend> waiting, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.Register(() =>
            {
                lock (stream.Sync)
                {
                    foreach (var pending in waiting)
                    {
                        pending.TryCancel(cancellationToken);
                    }
                }
            })
            : default;

        foreach (var pending in waiting)
        {
            await pending.Stored.ConfigureAwait(false);
        }
    }

    private static int ChoosePartition(InProcessTopic stream, in OutgoingMessage message)
    {
        var partitions = stream.Partitions.Length;
        if (message.Partition is { } explicitPartition)
        {
            if ((uint)explicitPartition >= (uint)partitions)
            {
                StreamThrowHelper.ThrowUnknownPartition(stream.Name, explicitPartition, partitions);
            }

            return explicitPartition;
        }

        return message.Key.IsEmpty ? stream.NextRoundRobin() : StreamPartitioner.ForKey(message.Key.Span, partitions);
    }

    /// <summary>Checks the size and copies key, value and header values into one new array.</summary>
    private StoredMessage Store(InProcessTopic stream, int partition, in OutgoingMessage message)
    {
        long size = message.Key.Length + message.Value.Length;
        var headers = message.Headers;
        var headerBytes = 0;
        if (headers is not null)
        {
            foreach (var header in headers)
            {
                size += Encoding.UTF8.GetByteCount(header.Name) + header.Value.Length;
                headerBytes += header.Value.Length;
            }
        }

        if (size > _maxMessageBytes)
        {
            StreamThrowHelper.ThrowMessageTooLarge(stream.Name, partition, size, _maxMessageBytes);
        }

        var data = new byte[message.Key.Length + message.Value.Length + headerBytes];
        var at = 0;
        var key = Copy(message.Key, data, ref at);
        var value = Copy(message.Value, data, ref at);
        RecordHeader[]? copied = null;
        if (headers is { Count: > 0 })
        {
            copied = new RecordHeader[headers.Count];
            for (var i = 0; i < copied.Length; i++)
            {
                copied[i] = new RecordHeader(headers[i].Name, Copy(headers[i].Value, data, ref at));
            }
        }

        return new StoredMessage(key, value, copied, message.Timestamp ?? _time.GetUtcNow());
    }

    private static ReadOnlyMemory<byte> Copy(ReadOnlyMemory<byte> source, byte[] data, ref int at)
    {
        if (source.IsEmpty)
        {
            return ReadOnlyMemory<byte>.Empty;
        }

        source.Span.CopyTo(data.AsSpan(at));
        var copy = new ReadOnlyMemory<byte>(data, at, source.Length);
        at += source.Length;
        return copy;
    }

    private InProcessTopic GetTopic(string topic)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        EnsureRunning();
        if (!_topics.TryGetValue(topic, out var stream))
        {
            throw new StreamFrameworkException(
                StreamErrorCode.UnknownTopic,
                $"Stream '{topic}' does not exist in stream framework '{Name}'; create it with CreateStreamAsync first.",
                topic);
        }

        return stream;
    }

    private void EnsureRunning()
    {
        switch (Volatile.Read(ref _state))
        {
            case NotStarted:
                throw new StreamFrameworkException(StreamErrorCode.NotStarted, $"Stream framework '{Name}' is not started; call StartAsync first.");
            case Stopped:
                throw new StreamFrameworkException(StreamErrorCode.Stopped, $"Stream framework '{Name}' was stopped.");
        }
    }
}
