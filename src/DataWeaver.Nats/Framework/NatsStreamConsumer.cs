using System.Threading.Channels;
using DataWeaver.Records;
using DataWeaver.Streams;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace DataWeaver.Nats;

/// <summary>One JetStream stream read as one partition of a consumer: its name and an optional subject filter.</summary>
/// <param name="Partition">The partition it is read as.</param>
/// <param name="Stream">The JetStream stream.</param>
/// <param name="FilterSubject">Only subjects matching this filter, or <see langword="null"/> for all.</param>
internal sealed record NatsFeed(int Partition, string Stream, string? FilterSubject);

/// <summary>
/// A member of a consumer group over JetStream: one durable pull consumer per feed (<c>ack_policy: all</c>,
/// <c>max_ack_pending</c> the in-flight bound), its deliveries merged into one buffer. A commit acknowledges, per
/// partition, the last delivered message before the committed offset (acknowledging everything before it), and waits
/// for the server's confirmation.
/// </summary>
internal sealed class NatsStreamConsumer : IStreamConsumer
{
    /// <summary>How often an idle member checks that the server is not holding deliveries it does not have.</summary>
    private static readonly TimeSpan StallCheck = TimeSpan.FromSeconds(3);

    private readonly NatsStreamFramework _framework;
    private readonly IReadOnlyList<NatsFeed> _feeds;
    private readonly StreamStartPosition _startFrom;
    private readonly int _maxAckPending;
    private readonly Action _onDispose;
    private readonly Channel<StreamMessage> _buffer;
    private readonly CancellationTokenSource _stop;
    private readonly Delivered[] _delivered;
    private readonly List<Task> _loops = [];
    private int _disposed;
    private long _consumes;
    private long _skippedBehind;
    private long _skippedAhead;
    private string? _lastError;
    private long _resets;

    public NatsStreamConsumer(
        NatsStreamFramework framework, string topic, string group, IReadOnlyList<NatsFeed> feeds, StreamStartPosition startFrom, int maxAckPending, Action onDispose)
    {
        _framework = framework;
        Topic = topic;
        GroupId = group;
        _feeds = feeds;
        _startFrom = startFrom;
        _maxAckPending = maxAckPending;
        _onDispose = onDispose;
        _buffer = Channel.CreateBounded<StreamMessage>(new BoundedChannelOptions(Math.Clamp(maxAckPending, 1, 4096)) { SingleReader = true });
        _stop = CancellationTokenSource.CreateLinkedTokenSource(framework.Stopping);
        _delivered = [.. feeds.Select(_ => new Delivered())];
        Assignment = [.. feeds.Select(f => f.Partition)];
    }

    public string Topic { get; }

    public string GroupId { get; }

    public IReadOnlyList<int> Assignment { get; }

    /// <summary>Gets how many messages the consumers delivered and were not acknowledged yet, summed over partitions (tests).</summary>
    internal int Unacknowledged => _delivered.Sum(d => d.Count);

    /// <summary>Gets what the delivery loops did (tests print it when a run stalls).</summary>
    internal string Diagnostics =>
        $"consumes {Interlocked.Read(ref _consumes)}, resets {Interlocked.Read(ref _resets)}, skipped behind {Interlocked.Read(ref _skippedBehind)}, skipped ahead {Interlocked.Read(ref _skippedAhead)}, next offsets [{string.Join(",", _delivered.Select(d => d.NextOffset))}], unacknowledged {Unacknowledged}, buffered {_buffer.Reader.Count}, last error {Volatile.Read(ref _lastError)}";

    /// <summary>Creates or resets the durable consumers, then starts one delivery loop per feed.</summary>
    public async ValueTask StartAsync(CancellationToken cancellationToken)
    {
        var consumers = new INatsJSConsumer[_feeds.Count];
        for (var i = 0; i < _feeds.Count; i++)
        {
            consumers[i] = await PrepareAsync(_feeds[i], _delivered[i], cancellationToken).ConfigureAwait(false);
        }

        for (var i = 0; i < _feeds.Count; i++)
        {
            _loops.Add(DeliverAsync(consumers[i], _feeds[i], _delivered[i]));
        }

        _ = Task.WhenAll(_loops).ContinueWith(static (_, buffer) => ((Channel<StreamMessage>)buffer!).Writer.TryComplete(), _buffer, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
    }

    public bool TryConsume(out StreamMessage message) => _buffer.Reader.TryRead(out message);

    public async ValueTask<bool> WaitToConsumeAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return await _buffer.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            return false;
        }
    }

    public async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        foreach (var position in positions)
        {
            var index = IndexOf(position.Partition);
            if (index < 0)
            {
                throw new StreamFrameworkException(StreamErrorCode.UnknownPartition, $"Partition {position.Partition} is not read by this consumer of '{Topic}'.", Topic, position.Partition);
            }

            var delivered = _delivered[index];
            if (position.Offset > delivered.NextOffset)
            {
                throw new StreamFrameworkException(
                    StreamErrorCode.InvalidOffset,
                    $"Offset {position.Offset} cannot be committed for stream '{Topic}' partition {position.Partition}: only offsets up to {delivered.NextOffset} were delivered.",
                    Topic,
                    position.Partition);
            }

            // The messages leave the unacknowledged list only once the server confirmed the acknowledgement: an
            // acknowledgement lost in a broker restart is sent again when the engine retries the commit. (Removed first, a
            // lost one was never sent again: with max_ack_pending reached the server then delivered nothing new, and the
            // consumer dropped its redeliveries as already in the pipeline, a stall for good.)
            if (delivered.LastBefore(position.Offset) is { } last)
            {
                await _framework.CallAsync(
                    $"acknowledge '{Topic}' partition {position.Partition}",
                    async () =>
                    {
                        await last.Message.AckAsync(new AckOpts { DoubleAck = true }, cancellationToken).ConfigureAwait(false);
                        return true;
                    },
                    cancellationToken).ConfigureAwait(false);
                delivered.RemoveThrough(last.Offset);
            }
        }
    }

    public async ValueTask<IReadOnlyList<SourcePosition>> GetCommittedOffsetsAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<SourcePosition>(_feeds.Count);
        foreach (var feed in _feeds)
        {
            var info = await GetInfoAsync(feed, cancellationToken).ConfigureAwait(false);
            var floor = info?.AckFloor.StreamSeq ?? 0;
            if (info?.Config is { DeliverPolicy: ConsumerConfigDeliverPolicy.ByStartSequence, OptStartSeq: > 0 } config)
            {
                // A consumer (re)created at its group's floor reports an acknowledgement floor of 0 until its first
                // acknowledgement; everything before its start sequence was committed.
                floor = Math.Max(floor, config.OptStartSeq - 1);
            }

            result.Add(new SourcePosition(feed.Partition, (long)floor));
        }

        return result;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _buffer.Writer.TryComplete();
        try
        {
            await Task.WhenAll(_loops).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _stop.Dispose();
        _onDispose();
    }

    private int IndexOf(int partition)
    {
        for (var i = 0; i < _feeds.Count; i++)
        {
            if (_feeds[i].Partition == partition)
            {
                return i;
            }
        }

        return -1;
    }

    private async ValueTask<ConsumerInfo?> GetInfoAsync(NatsFeed feed, CancellationToken cancellationToken)
    {
        var js = _framework.JetStream;
        try
        {
            return (await js.GetConsumerAsync(feed.Stream, NatsNames.Durable(GroupId), cancellationToken).ConfigureAwait(false)).Info;
        }
        catch (NatsJSApiException e) when (NatsErrors.IsNotFound(e, NatsErrors.ConsumerNotFound))
        {
            return null;
        }
        catch (NatsJSApiException e) when (NatsErrors.IsNotFound(e, NatsErrors.StreamNotFound))
        {
            NatsErrors.ThrowUnknownTopic(Topic);
            throw;
        }
    }

    /// <summary>
    /// Gets the group's durable consumer of a feed ready: created when missing (from the first or the next message), reused
    /// when nothing it delivered is unacknowledged, and otherwise recreated at its acknowledgement floor (its last member
    /// died holding deliveries; waiting for their ack_wait would hand out later messages first).
    /// </summary>
    private async ValueTask<INatsJSConsumer> PrepareAsync(NatsFeed feed, Delivered delivered, CancellationToken cancellationToken)
    {
        var js = _framework.JetStream;
        var durable = NatsNames.Durable(GroupId);
        var info = await _framework.CallAsync($"read consumer '{durable}'", () => GetInfoAsync(feed, cancellationToken), cancellationToken).ConfigureAwait(false);
        ulong start;
        if (info is null)
        {
            var stream = await _framework.TryGetStreamAsync(feed.Stream, cancellationToken).ConfigureAwait(false);
            if (stream is null)
            {
                NatsErrors.ThrowUnknownTopic(Topic);
            }

            start = _startFrom == StreamStartPosition.Latest ? stream.Info.State.LastSeq + 1 : 1;
        }
        else if (info.NumAckPending == 0 && info.NumRedelivered == 0 && info.Config.MaxAckPending == _maxAckPending && info.Config.AckWait == _framework.Options.AckWait)
        {
            delivered.StartAt((long)info.Delivered.StreamSeq);
            return await _framework.CallAsync($"open consumer '{durable}'", () => js.GetConsumerAsync(feed.Stream, durable, cancellationToken), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            start = info.AckFloor.StreamSeq + 1;
            await _framework.CallAsync($"reset consumer '{durable}'", () => js.DeleteConsumerAsync(feed.Stream, durable, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        delivered.StartAt((long)start - 1);
        var config = new ConsumerConfig(durable)
        {
            AckPolicy = ConsumerConfigAckPolicy.All,
            AckWait = _framework.Options.AckWait,
            MaxAckPending = _maxAckPending,
            DeliverPolicy = start == 1 ? ConsumerConfigDeliverPolicy.All : ConsumerConfigDeliverPolicy.ByStartSequence,
            OptStartSeq = start == 1 ? 0 : start,
            FilterSubject = feed.FilterSubject,
        };
        return await _framework.CallAsync($"create consumer '{durable}'", () => js.CreateOrUpdateConsumerAsync(feed.Stream, config, cancellationToken), cancellationToken).ConfigureAwait(false);
    }

    private async Task DeliverAsync(INatsJSConsumer consumer, NatsFeed feed, Delivered delivered)
    {
        var token = _stop.Token;
        var partition = feed.Partition;
        var contiguous = feed.FilterSubject is null;
        var opts = new NatsJSConsumeOpts { MaxMsgs = Math.Clamp(_maxAckPending, 1, 1000), Expires = TimeSpan.FromSeconds(10), IdleHeartbeat = TimeSpan.FromSeconds(2) };
        while (!token.IsCancellationRequested)
        {
            using var round = CancellationTokenSource.CreateLinkedTokenSource(token);
            var watchdog = WatchAsync(feed, delivered, round);
            try
            {
                Interlocked.Increment(ref _consumes);
                await foreach (var msg in consumer.ConsumeAsync<byte[]>(opts: opts, cancellationToken: round.Token).ConfigureAwait(false))
                {
                    if (msg.Metadata is not { } metadata)
                    {
                        continue;
                    }

                    var offset = (long)metadata.Sequence.Stream - 1;
                    if (offset < delivered.Acknowledged)
                    {
                        // Already acknowledged, delivered again: a restarted nats-server can come back with its consumer's
                        // delivered sequence behind its acknowledgement floor and deliver committed messages once more. They
                        // are acknowledged again (ack_policy all: nothing after them is covered).
                        Interlocked.Increment(ref _skippedBehind);
                        await msg.AckAsync(cancellationToken: token).ConfigureAwait(false);
                        continue;
                    }

                    // A message before the next offset is a redelivery after ack_wait of one still in the pipeline; on an
                    // unfiltered stream one beyond it follows a delivery lost in a broker restart, which comes back after
                    // ack_wait. Both are skipped: the partition is handed out in order and no acknowledgement (ack_policy
                    // all) covers a message the pipeline never saw.
                    if (offset < delivered.NextOffset || (contiguous && offset > delivered.NextOffset))
                    {
                        Interlocked.Increment(ref offset < delivered.NextOffset ? ref _skippedBehind : ref _skippedAhead);
                        continue;
                    }

                    var (key, headers, timestamp) = NatsStreamFramework.FromHeaders(msg.Headers);
                    var message = new StreamMessage(Topic, partition, offset, key, msg.Data ?? [], headers, timestamp ?? metadata.Timestamp);
                    delivered.Add(offset, msg);
                    await _buffer.Writer.WriteAsync(message, token).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                return;
            }
            catch (ChannelClosedException)
            {
                return;
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                // The connection dropped (a broker restart), or the watchdog ended the round: the client reconnects; pull
                // again after a pause. Never ends the loop, which would end the partition as if the stream
                // were over.
                if (!round.IsCancellationRequested)
                {
                    Volatile.Write(ref _lastError, e.GetType().Name + ": " + e.Message);
                }

                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
            finally
            {
                await round.CancelAsync().ConfigureAwait(false);
            }

            if (await watchdog.ConfigureAwait(false))
            {
                consumer = await ResetAsync(feed, delivered, consumer, token).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Ends the round (true) when the server keeps deliveries unacknowledged that this member does not hold: nothing is
    /// waiting for a commit here, nothing new came for two checks, and the server still counts acknowledgements pending. A
    /// restarted nats-server 2.9 can restore a consumer that way (pending entries at or below its acknowledgement floor,
    /// whose acknowledgements it then ignores); at max_ack_pending it would deliver nothing new, ever.
    /// </summary>
    private async Task<bool> WatchAsync(NatsFeed feed, Delivered delivered, CancellationTokenSource round)
    {
        var suspicious = 0;
        var lastNext = delivered.NextOffset;
        try
        {
            while (true)
            {
                await Task.Delay(StallCheck, round.Token).ConfigureAwait(false);
                var next = delivered.NextOffset;
                if (delivered.Count > 0 || next != lastNext)
                {
                    suspicious = 0;
                    lastNext = next;
                    continue;
                }

                var info = await GetInfoAsync(feed, round.Token).ConfigureAwait(false);
                suspicious = info is { NumAckPending: > 0 } && delivered.Count == 0 && delivered.NextOffset == next ? suspicious + 1 : 0;
                if (suspicious >= 2)
                {
                    Interlocked.Increment(ref _resets);
                    await round.CancelAsync().ConfigureAwait(false);
                    return true;
                }
            }
        }
#pragma warning disable CA1031 // the watchdog never fails the delivery loop: the round ended, or the server is away (checked again next round)
        catch (Exception)
#pragma warning restore CA1031
        {
            return false;
        }
    }

    /// <summary>Recreates the durable consumer at its acknowledgement floor (nothing is held here), retrying while the server is away.</summary>
    private async Task<INatsJSConsumer> ResetAsync(NatsFeed feed, Delivered delivered, INatsJSConsumer current, CancellationToken token)
    {
        while (!token.IsCancellationRequested)
        {
            try
            {
                return await PrepareAsync(feed, delivered, token).ConfigureAwait(false);
            }
            catch (Exception e) when (!token.IsCancellationRequested)
            {
                Volatile.Write(ref _lastError, "reset: " + e.GetType().Name + ": " + e.Message);
                try
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(500), token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }
        }

        return current;
    }

    /// <summary>The messages of one partition delivered and not yet acknowledged, in offset order.</summary>
    private sealed class Delivered
    {
        private readonly Queue<(long Offset, INatsJSMsg<byte[]> Message)> _messages = new();
        private readonly Lock _lock = new();
        private long _nextOffset;

        private long _acknowledged;

        /// <summary>Gets the offset after the last message acknowledged (everything before it is acknowledged).</summary>
        public long Acknowledged => Volatile.Read(ref _acknowledged);

        /// <summary>Gets or sets the offset after the last message delivered.</summary>
        public long NextOffset
        {
            get => Volatile.Read(ref _nextOffset);
            set => Volatile.Write(ref _nextOffset, value);
        }

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _messages.Count;
                }
            }
        }

        public void Add(long offset, INatsJSMsg<byte[]> message)
        {
            lock (_lock)
            {
                _messages.Enqueue((offset, message));
                NextOffset = offset + 1;
            }
        }

        /// <summary>Gets the last message before <paramref name="nextOffset"/>, if any, leaving the list as it is.</summary>
        public (long Offset, INatsJSMsg<byte[]> Message)? LastBefore(long nextOffset)
        {
            (long Offset, INatsJSMsg<byte[]> Message)? last = null;
            lock (_lock)
            {
                foreach (var entry in _messages)
                {
                    if (entry.Offset >= nextOffset)
                    {
                        break;
                    }

                    last = entry;
                }
            }

            return last;
        }

        /// <summary>Starts at <paramref name="offset"/>: everything before it is acknowledged, nothing after it delivered.</summary>
        public void StartAt(long offset)
        {
            NextOffset = offset;
            Volatile.Write(ref _acknowledged, offset);
        }

        /// <summary>Removes every message up to <paramref name="offset"/> (acknowledged).</summary>
        public void RemoveThrough(long offset)
        {
            lock (_lock)
            {
                while (_messages.TryPeek(out var head) && head.Offset <= offset)
                {
                    _messages.Dequeue();
                }

                Volatile.Write(ref _acknowledged, Math.Max(Volatile.Read(ref _acknowledged), offset + 1));
            }
        }
    }
}
