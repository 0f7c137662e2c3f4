using System.Collections.Concurrent;
using System.Threading.Channels;
using Confluent.Kafka;
using DataWeaver.Records;
using DataWeaver.Streams;

namespace DataWeaver.Kafka;

/// <summary>
/// A Confluent consumer in a consumer group behind <see cref="IStreamConsumer"/>. A dedicated thread polls with
/// short timeouts and hands messages to the reader through a buffer; commits are manual.
/// </summary>
/// <remarks>
/// Rebalances: when partitions are revoked, the poll thread (inside librdkafka's rebalance callback) stops handing
/// out their buffered messages, waits up to <see cref="StreamConsumerOptions.RevocationDrainTimeout"/> until every
/// message it handed out of them was acknowledged (<see cref="OnAcknowledged"/>), commits what was acknowledged, and
/// only then returns, letting the partitions go. Lost partitions (the session expired) are dropped without a
/// commit. Backpressure: above <see cref="KafkaStreamOptions.ConsumerBufferMessages"/> buffered messages every
/// assigned partition is paused (newly assigned ones too) while the thread keeps polling, so the member stays in
/// the group however slow the pipeline is.
/// </remarks>
internal sealed partial class KafkaStreamConsumer : IStreamConsumer
{
    private static readonly TimeSpan PollTimeout = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// How long a full buffer may wait for the reader before the partitions are paused. librdkafka drops what it fetched
    /// ahead for a paused partition and fetches it again after the resume, which stalled a busy pipeline for most of a
    /// second each time (W6): a reader that is only briefly behind is waited for instead.
    /// </summary>
    private static readonly TimeSpan PauseAfter = TimeSpan.FromSeconds(1);

    private readonly KafkaStreamFramework _framework;
    private readonly IConsumer<byte[], byte[]> _consumer;
    /// <summary>At most this many messages go to the reader in one hand-off (see <see cref="Chunk"/>), and at most the buffer's bound.</summary>
    private const int MaxChunk = 512;

    private readonly Channel<Chunk> _buffer = Channel.CreateUnbounded<Chunk>(new UnboundedChannelOptions { SingleWriter = true, SingleReader = true });
    private readonly ConcurrentQueue<Chunk> _spareChunks = new();
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stopping = new();
    private readonly int[] _epochs;
    private readonly long[] _handed;
    private readonly long[] _firstHanded;
    private readonly long[] _acknowledged;
    private readonly SemaphoreSlim _acknowledgedSignal = new(0);
    private readonly ManualResetEventSlim _room = new(false); // set by the reader once the buffer is down to _low; holds no handle
    private readonly TimeSpan _drainTimeout;
    private readonly Action<KafkaLogMessage> _log;
    private readonly Dictionary<int, long> _uncommittedAtRevocation = []; // poll thread only
    private readonly ConcurrentDictionary<int, long> _refusedCommits = new(); // see CommitAsync
    private readonly KafkaTransactions? _transactions;
    private readonly Lock _barrierLock = new();
    private TaskCompletionSource? _barrier; // set while a transaction commits: nothing is handed out meanwhile
    private readonly int _high;
    private readonly int _chunkCapacity;
    private readonly int _low;
    private IReadOnlyList<int> _assignment = [];
    private int _epoch;
    private int _buffered;
    private int _disposed;
    private int _assignmentVersion;
    private int _pauses;
    private Chunk? _reading; // the reader's chunk (one reader at a time)
    private int _readIndex;

    public KafkaStreamConsumer(
        KafkaStreamFramework framework, string topic, int partitions, StreamConsumerOptions options, ConsumerConfig config, KafkaTransactions? transactions = null)
    {
        _transactions = transactions;
        _framework = framework;
        Topic = topic;
        GroupId = options.GroupId;
        _drainTimeout = options.RevocationDrainTimeout;
        _log = KafkaSecrets.LogSink(framework.Options);
        _epochs = new int[partitions];
        _handed = new long[partitions];
        _firstHanded = new long[partitions];
        _acknowledged = new long[partitions];
        _handed.AsSpan().Fill(-1);
        _high = framework.Options.ConsumerBufferMessages;
        _low = _high / 2;
        _chunkCapacity = Math.Min(MaxChunk, _high);
        // The topic of every result is this consumer's one: librdkafka's name is not read back into a string per message.
        if (config.Get(ConfigPropertyNames.Consumer.ConsumeResultFields) is null)
        {
            config.ConsumeResultFields = "headers,timestamp";
        }

        _consumer = KafkaClientFactory.Consumer(config, framework.Options, builder => builder
            .SetPartitionsAssignedHandler((consumer, assigned) => OnAssigned(consumer, assigned))
            .SetPartitionsRevokedHandler((consumer, revoked) => OnRevoked(consumer, [.. revoked.Select(p => p.TopicPartition)], drain: true))
            .SetPartitionsLostHandler((consumer, lost) => OnRevoked(consumer, [.. lost.Select(p => p.TopicPartition)], drain: false)));
    }

    public string Topic { get; }

    public string GroupId { get; }

    public IReadOnlyList<int> Assignment => Volatile.Read(ref _assignment);

    /// <summary>Gets how many times backpressure paused the assigned partitions (for tests).</summary>
    internal int Pauses => Volatile.Read(ref _pauses);

    public void Start()
    {
        var thread = new Thread(Poll) { IsBackground = true, Name = $"dataweaver-kafka-consumer:{Topic}" };
        thread.Start();
    }

    public bool TryConsume(out StreamMessage message)
    {
        if (_transactions is null)
        {
            return TryHandOut(out message);
        }

        // Exactly once: a transaction commit must see every message handed out before it, and none after it started.
        lock (_barrierLock)
        {
            if (_barrier is not null)
            {
                message = default;
                return false;
            }

            return TryHandOut(out message);
        }
    }

    private bool TryHandOut(out StreamMessage message)
    {
        while (Volatile.Read(ref _disposed) == 0 && NextBuffered(out var buffered))
        {
            var partition = buffered.Message.Partition;
            if (buffered.Epoch == Volatile.Read(ref _epochs[partition]))
            {
                // Handed out: a revocation of the partition waits for its acknowledgement. The exchange is a full
                // fence against the revocation's epoch bump, so at worst one message slips past a revocation
                // (it may then be written twice, never lost).
                message = buffered.Message;
                if (Interlocked.Exchange(ref _handed[partition], message.Offset + 1) < 0)
                {
                    Volatile.Write(ref _firstHanded[partition], message.Offset);
                }

                return true;
            }

            // Read before the partition was revoked: its new owner reads it again from the committed offset.
        }

        message = default;
        return false;
    }

    /// <summary>The next buffered message: from the reader's chunk, else from the next chunk the poll thread handed over.</summary>
    private bool NextBuffered(out Buffered buffered)
    {
        var chunk = _reading;
        if (chunk is null || _readIndex == chunk.Count)
        {
            if (chunk is not null)
            {
                _reading = null;
                if (Interlocked.Add(ref _buffered, -chunk.Count) <= _low)
                {
                    _room.Set();
                }

                chunk.Recycle(_spareChunks);
            }

            if (!_buffer.Reader.TryRead(out chunk))
            {
                buffered = default;
                return false;
            }

            _reading = chunk;
            _readIndex = 0;
        }

        buffered = chunk.Items[_readIndex++];
        return true;
    }

    public async ValueTask<bool> WaitToConsumeAsync(CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return false;
        }

        if (Volatile.Read(ref _barrier) is { } barrier)
        {
            await barrier.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_reading is { } chunk && _readIndex < chunk.Count)
        {
            return true; // the rest of the reader's chunk (TryConsume stopped at a transaction's barrier)
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

        AddRefusedCommits(offsets, assigned);
        if (offsets.Count == 0 || Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            await Task.Run(() => _consumer.Commit(offsets), cancellationToken).ConfigureAwait(false);
            ForgetRefusedCommits(offsets);
        }
        catch (KafkaException exception) when (IsRefusedBecauseTheGroupMovedOn(exception))
        {
            RememberRefusedCommits(offsets, exception);
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

    public void OnAcknowledged(SourcePosition position)
    {
        if ((uint)position.Partition < (uint)_acknowledged.Length)
        {
            Volatile.Write(ref _acknowledged[position.Partition], position.Offset);
            if (_acknowledgedSignal.CurrentCount == 0)
            {
                _acknowledgedSignal.Release();
            }
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
        var pausedVersion = 0;
        Chunk? chunk = null;
        try
        {
            _consumer.Subscribe(Topic);
            while (!_stopping.IsCancellationRequested)
            {
                if (!paused && Volatile.Read(ref _buffered) > _high)
                {
                    WaitForRoom();
                }

                if (paused != Volatile.Read(ref _buffered) > (paused ? _low : _high))
                {
                    paused = !paused;
                    pausedVersion = _assignmentVersion;
                    var assignment = _consumer.Assignment;
                    if (paused)
                    {
                        Interlocked.Increment(ref _pauses);
                        _consumer.Pause(assignment);
                    }
                    else
                    {
                        _consumer.Resume(assignment);
                    }
                }
                else if (pausedVersion != _assignmentVersion)
                {
                    // Partitions assigned while paused start unpaused: pause them too, or the buffer grows past its bound.
                    // And the other way round: a partition paused before its revocation may come back still paused in
                    // librdkafka after the resume went to an assignment without it (seen: an eager member got back the
                    // partitions whose revocation commit was refused and never read them again), so resume them.
                    pausedVersion = _assignmentVersion;
                    if (paused)
                    {
                        _consumer.Pause(_consumer.Assignment);
                    }
                    else
                    {
                        _consumer.Resume(_consumer.Assignment);
                    }
                }

                // Everything librdkafka has ready (up to a chunk) goes to the reader in one hand-off: one wake-up and one
                // count update per chunk instead of per message. The first message is waited for, the rest are not.
                chunk ??= TakeChunk();
                if (!TryConsume(chunk, PollTimeout))
                {
                    continue;
                }

                while (chunk.Count < _chunkCapacity && TryConsume(chunk, TimeSpan.Zero))
                {
                }

                Interlocked.Add(ref _buffered, chunk.Count);
                _buffer.Writer.TryWrite(chunk);
                chunk = null;
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
            _stopping.Dispose(); // _acknowledgedSignal stays: pipeline threads may still signal it (it holds no handle)
            _stopped.TrySetResult();
        }
    }

    /// <summary>Consumes one message into <paramref name="chunk"/>, waiting at most <paramref name="timeout"/>.</summary>
    /// <returns><see langword="false"/> when none came (timeout, end of a partition, a non-fatal consume error).</returns>
    private bool TryConsume(Chunk chunk, TimeSpan timeout)
    {
        ConsumeResult<byte[], byte[]>? result;
        try
        {
            result = _consumer.Consume(timeout);
        }
        catch (ConsumeException exception) when (!exception.Error.IsFatal)
        {
            return false;
        }

        if (result is null || result.IsPartitionEOF)
        {
            return false;
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

        // The epoch as the message is read: a revocation inside a later Consume call of this chunk makes it stale.
        chunk.Add(new Buffered(
            new StreamMessage(Topic, partition, result.Offset.Value, message.Key ?? [], message.Value ?? [], headers, new DateTimeOffset(message.Timestamp.UtcDateTime)),
            Volatile.Read(ref _epochs[partition])));
        return true;
    }

    /// <summary>
    /// Waits, at most <see cref="PauseAfter"/>, until the reader took the buffer down to its low mark. Heartbeats go on meanwhile
    /// (librdkafka's own thread); rebalance callbacks wait for the next poll.
    /// </summary>
    private void WaitForRoom()
    {
        var deadline = Environment.TickCount64 + (long)PauseAfter.TotalMilliseconds;
        _room.Reset();
        while (Volatile.Read(ref _buffered) > _low && !_stopping.IsCancellationRequested && Environment.TickCount64 < deadline)
        {
            _room.Wait(TimeSpan.FromMilliseconds(50));
            _room.Reset();
        }
    }

    private Chunk TakeChunk() => _spareChunks.TryDequeue(out var chunk) ? chunk : new Chunk(_chunkCapacity);

    private readonly record struct Buffered(StreamMessage Message, int Epoch);

    /// <summary>Messages the poll thread hands to the reader at once; reused once read (a few are kept).</summary>
    private sealed class Chunk(int capacity)
    {
        private const int SpareChunks = 4;

        public Buffered[] Items { get; } = new Buffered[capacity];

        public int Count { get; private set; }

        public void Add(in Buffered item) => Items[Count++] = item;

        /// <summary>Clears the chunk (its messages' bytes become collectable) and keeps it for reuse, unless enough are kept.</summary>
        public void Recycle(ConcurrentQueue<Chunk> spares)
        {
            Array.Clear(Items, 0, Count);
            Count = 0;
            if (spares.Count < SpareChunks)
            {
                spares.Enqueue(this);
            }
        }
    }
}
