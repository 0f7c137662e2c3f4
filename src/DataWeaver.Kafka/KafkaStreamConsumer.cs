using System.Threading.Channels;
using Confluent.Kafka;
using DataWeaver.Records;
using DataWeaver.Streams;

namespace DataWeaver.Kafka;

/// <summary>
/// A Confluent consumer in a consumer group behind <see cref="IStreamConsumer"/>. A dedicated thread polls with
/// short timeouts and hands messages to the reader through a buffer; commits are manual.
/// </summary>
internal sealed class KafkaStreamConsumer : IStreamConsumer
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    private readonly KafkaStreamFramework _framework;
    private readonly IConsumer<byte[], byte[]> _consumer;
    private readonly Channel<Buffered> _buffer = Channel.CreateUnbounded<Buffered>(new UnboundedChannelOptions { SingleWriter = true });
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly int[] _epochs;
    private readonly int _high;
    private readonly int _low;
    private IReadOnlyList<int> _assignment = [];
    private int _epoch;
    private int _buffered;
    private int _disposed;

    public KafkaStreamConsumer(KafkaStreamFramework framework, string topic, int partitions, string groupId, ConsumerConfig config)
    {
        _framework = framework;
        Topic = topic;
        GroupId = groupId;
        _epochs = new int[partitions];
        _high = framework.Options.ConsumerBufferMessages;
        _low = _high / 2;
        _consumer = new ConsumerBuilder<byte[], byte[]>(config)
            .SetPartitionsAssignedHandler((_, assigned) => OnAssigned(assigned))
            .SetPartitionsRevokedHandler((_, revoked) => OnRevoked(revoked.Select(p => p.TopicPartition)))
            .SetPartitionsLostHandler((_, lost) => OnRevoked(lost.Select(p => p.TopicPartition)))
            .Build();
    }

    public string Topic { get; }

    public string GroupId { get; }

    public IReadOnlyList<int> Assignment => Volatile.Read(ref _assignment);

    public void Start()
    {
        var thread = new Thread(Poll) { IsBackground = true, Name = $"dataweaver-kafka-consumer:{Topic}" };
        thread.Start();
    }

    public bool TryConsume(out StreamMessage message)
    {
        while (Volatile.Read(ref _disposed) == 0 && _buffer.Reader.TryRead(out var buffered))
        {
            Interlocked.Decrement(ref _buffered);
            var partition = buffered.Message.Partition;
            if (buffered.Epoch == Volatile.Read(ref _epochs[partition]))
            {
                message = buffered.Message;
                return true;
            }

            // Read before the partition was revoked: its new owner reads it again from the committed offset.
        }

        message = default;
        return false;
    }

    public async ValueTask<bool> WaitToConsumeAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        try
        {
            return await _buffer.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false) && Volatile.Read(ref _disposed) == 0;
        }
        catch (ChannelClosedException exception) when (exception.InnerException is not null)
        {
            throw exception.InnerException;
        }
    }

    public async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        var assigned = Assignment;
        var offsets = new List<TopicPartitionOffset>(positions.Count);
        foreach (var position in positions)
        {
            if (position.Partition < 0 || position.Partition >= _epochs.Length)
            {
                throw new StreamFrameworkException(
                    StreamErrorCode.UnknownPartition, $"Stream '{Topic}' has no partition {position.Partition}.", Topic, position.Partition);
            }

            if (position.Offset < 0)
            {
                throw new StreamFrameworkException(
                    StreamErrorCode.InvalidOffset, $"Offset {position.Offset} of '{Topic}' [{position.Partition}] is negative.", Topic, position.Partition);
            }

            if (assigned.Contains(position.Partition))
            {
                offsets.Add(new TopicPartitionOffset(Topic, position.Partition, position.Offset));
            }
        }

        if (offsets.Count == 0 || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            await Task.Run(() => _consumer.Commit(offsets), cancellationToken).ConfigureAwait(false);
        }
        catch (TopicPartitionOffsetException exception)
        {
            var failed = exception.Results.FirstOrDefault(r => r.Error.IsError);
            throw KafkaErrors.Map(failed?.Error ?? exception.Error, $"Committing offsets of '{Topic}' for group '{GroupId}'", Topic, failed?.Partition.Value, exception);
        }
        catch (KafkaException exception)
        {
            throw KafkaErrors.Map(exception, $"Committing offsets of '{Topic}' for group '{GroupId}'", Topic);
        }
    }

    public async ValueTask<IReadOnlyList<SourcePosition>> GetCommittedOffsetsAsync(CancellationToken cancellationToken = default)
    {
        var timeout = _framework.Options.OperationTimeout;
        try
        {
            return await Task.Run(() => KafkaStreamFramework.ReadCommitted(_consumer, Topic, _epochs.Length, timeout), cancellationToken).ConfigureAwait(false);
        }
        catch (KafkaException exception)
        {
            throw KafkaErrors.Map(exception, $"Reading the committed offsets of '{Topic}' for group '{GroupId}'", Topic);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            await _stopped.Task.ConfigureAwait(false);
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        await _stopped.Task.ConfigureAwait(false);
        _framework.Forget(this);
    }

    private void Poll()
    {
        Exception? failure = null;
        var paused = false;
        try
        {
            _consumer.Subscribe(Topic);
            while (!_stopping.IsCancellationRequested)
            {
                if (paused != Volatile.Read(ref _buffered) > (paused ? _low : _high))
                {
                    paused = !paused;
                    var assignment = _consumer.Assignment;
                    if (paused)
                    {
                        _consumer.Pause(assignment);
                    }
                    else
                    {
                        _consumer.Resume(assignment);
                    }
                }

                ConsumeResult<byte[], byte[]>? result;
                try
                {
                    result = _consumer.Consume(PollTimeout);
                }
                catch (ConsumeException exception) when (!exception.Error.IsFatal)
                {
                    continue;
                }

                if (result is null || result.IsPartitionEOF)
                {
                    continue;
                }

                var partition = result.Partition.Value;
                var message = result.Message;
                RecordHeaders? headers = null;
                if (message.Headers is { Count: > 0 } source)
                {
                    headers = [];
                    foreach (var header in source)
                    {
                        headers.Add(header.Key, header.GetValueBytes());
                    }
                }

                var streamMessage = new StreamMessage(
                    Topic, partition, result.Offset.Value, message.Key ?? [], message.Value ?? [], headers, new DateTimeOffset(message.Timestamp.UtcDateTime));
                Interlocked.Increment(ref _buffered);
                _buffer.Writer.TryWrite(new Buffered(streamMessage, Volatile.Read(ref _epochs[partition])));
            }
        }
        catch (ConsumeException exception)
        {
            failure = KafkaErrors.Map(exception, $"Consuming '{Topic}' in group '{GroupId}'", Topic);
        }
        catch (KafkaException exception)
        {
            failure = KafkaErrors.Map(exception, $"Consuming '{Topic}' in group '{GroupId}'", Topic);
        }
        finally
        {
            try
            {
                _consumer.Close();
            }
            catch (KafkaException)
            {
                // Leaving the group failed (brokers gone): the session timeout removes the member.
            }

            _consumer.Dispose();
            _buffer.Writer.TryComplete(failure);
            _stopping.Dispose();
            _stopped.TrySetResult();
        }
    }

    private void OnAssigned(List<TopicPartition> assigned)
    {
        foreach (var partition in assigned)
        {
            Volatile.Write(ref _epochs[partition.Partition.Value], Interlocked.Increment(ref _epoch));
        }

        Volatile.Write(ref _assignment, [.. _assignment.Union(assigned.Select(p => p.Partition.Value)).Order()]);
    }

    private void OnRevoked(IEnumerable<TopicPartition> revoked)
    {
        var gone = revoked.Select(p => p.Partition.Value).ToHashSet();
        foreach (var partition in gone)
        {
            Volatile.Write(ref _epochs[partition], Interlocked.Increment(ref _epoch));
        }

        Volatile.Write(ref _assignment, [.. _assignment.Where(p => !gone.Contains(p))]);
    }

    private readonly record struct Buffered(StreamMessage Message, int Epoch);
}
