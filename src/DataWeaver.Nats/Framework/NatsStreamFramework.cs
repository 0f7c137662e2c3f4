using System.Collections.Concurrent;
using System.Globalization;
using DataWeaver.Records;
using DataWeaver.Streams;
using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace DataWeaver.Nats;

/// <summary>
/// NATS JetStream as a stream framework: a topic of <c>n</c> partitions is <c>n</c> JetStream streams (one per
/// partition, <c>{StreamPrefix}{topic}_{p}</c>, capturing the subject <c>{SubjectPrefix}{topic}.{p}</c>), a message's
/// offset is its stream sequence - 1, and a consumer group is one durable pull consumer per partition stream, named
/// after the group, acknowledging with <c>ack_policy: all</c> up to what the group commits.
/// </summary>
/// <remarks>
/// <para>
/// Produce waits for the JetStream acknowledgement (PubAck) of every message: a message is stored once the call
/// returns. Keys travel in the <c>Dw-Key</c> header (base64), explicit timestamps in <c>Dw-Timestamp</c> (Unix
/// milliseconds); other headers are passed through (a <c>Nats-Msg-Id</c> header is JetStream's de-duplication id).
/// </para>
/// <para>
/// Consumer groups: at most one member of a group reads a topic at a time per framework instance (JetStream has no
/// partition assignment); a group's committed offset of a partition is its consumer's acknowledgement floor. A member
/// that joins while the durable consumer still has unacknowledged deliveries (its previous member died) restarts
/// delivery at the floor, so nothing is skipped and the partition stays in order.
/// </para>
/// </remarks>
public sealed class NatsStreamFramework : IStreamFramework
{
    private const string KeyHeader = "Dw-Key";
    private const string TimestampHeader = "Dw-Timestamp";
    private const string MessageIdHeader = "Nats-Msg-Id";
    private const int PublishWindow = 1024;

    private readonly ConcurrentDictionary<string, int> _partitions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, NatsStreamConsumer> _members = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly SemaphoreSlim _starting = new(1, 1);
    private NatsConnection? _connection;
    private NatsJSContext? _js;
    private int _roundRobin = -1;
    private int _state; // 0 created, 1 started, 2 stopped

    /// <summary>Creates the framework; <see cref="StartAsync"/> connects.</summary>
    /// <param name="options">The server and consumer settings; <see langword="null"/> uses the defaults (loopback, no auth).</param>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every invalid one.</exception>
    public NatsStreamFramework(NatsStreamOptions? options = null)
    {
        Options = options ?? new NatsStreamOptions();
        var errors = Options.Validate().ToList();
        if (errors.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", errors), nameof(options));
        }
    }

    /// <summary>Gets the options.</summary>
    public NatsStreamOptions Options { get; }

    /// <inheritdoc />
    public string Name => "nats";

    /// <summary>Gets the JetStream context of the connection (for connectors over user-defined streams).</summary>
    internal NatsJSContext JetStream => _state switch
    {
        1 => _js!,
        0 => NotStarted(),
        _ => Stopped(),
    };

    /// <summary>Gets a token cancelled when the framework stops.</summary>
    internal CancellationToken Stopping => _stopping.Token;

    /// <summary>Gets the largest payload the server accepts, in bytes.</summary>
    internal long MaxPayload => _connection?.ServerInfo?.MaxPayload ?? 1024 * 1024;

    /// <inheritdoc />
    public async ValueTask StartAsync(CancellationToken cancellationToken = default)
    {
        if (_state == 2)
        {
            NatsErrors.ThrowStopped();
        }

        await _starting.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await ConnectAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _starting.Release();
        }
    }

    private async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        if (_state != 0)
        {
            return;
        }

        var connection = new NatsConnection(new NatsOpts
        {
            Url = Options.Url,
            Name = Options.ClientName,
            AuthOpts = new NatsAuthOpts { Username = Options.Username, Password = Options.Password, Token = Options.Token },
            RequestTimeout = Options.OperationTimeout,
            CommandTimeout = Options.OperationTimeout,
            ConnectTimeout = Options.OperationTimeout,
            MaxReconnectRetry = -1,
            LoggerFactory = Options.ClientLoggerFactory ?? Microsoft.Extensions.Logging.Abstractions.NullLoggerFactory.Instance,
        });
        try
        {
            await connection.ConnectAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw NatsErrors.Classify($"connect to {Scrub(Options.Url)}", e, Options.Secrets());
        }

        _connection = connection;
        _js = new NatsJSContext(connection);
        _state = 1;
    }

    /// <inheritdoc />
    public async ValueTask StopAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _state, 2) == 2)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        foreach (var member in _members.Values)
        {
            await member.DisposeAsync().ConfigureAwait(false);
        }

        if (_connection is { } connection)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stopping.Dispose();
        _starting.Dispose();
    }

    /// <inheritdoc />
    public async ValueTask CreateStreamAsync(string topic, int partitions = 1, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        var js = JetStream;
        if (partitions < 1 || partitions > Options.MaxPartitions)
        {
            throw new StreamFrameworkException(
                StreamErrorCode.InvalidPartitionCount, $"Stream '{topic}' cannot have {partitions} partitions: from 1 to {Options.MaxPartitions} (NatsStreamOptions.MaxPartitions).", topic);
        }

        var existing = await TryGetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        if (existing is { } count)
        {
            if (count != partitions)
            {
                throw new StreamFrameworkException(StreamErrorCode.TopicAlreadyExists, $"Stream '{topic}' exists with {count} partition(s), not {partitions}.", topic);
            }

            return;
        }

        // Partition 0 last: its description (the partition count) makes the topic visible only once complete.
        for (var p = partitions - 1; p >= 0; p--)
        {
            var config = new StreamConfig(NatsNames.Stream(Options, topic, p), [NatsNames.Subject(Options, topic, p)])
            {
                Description = string.Create(CultureInfo.InvariantCulture, $"dataweaver partitions={partitions} topic={topic}"),
                Storage = StreamConfigStorage.File,
                Retention = StreamConfigRetention.Limits,
            };
            await CallAsync($"create stream for '{topic}'", () => js.CreateStreamAsync(config, cancellationToken), cancellationToken).ConfigureAwait(false);
        }

        _partitions[topic] = partitions;
    }

    /// <inheritdoc />
    public async ValueTask<int> GetPartitionCountAsync(string topic, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        _ = JetStream;
        if (_partitions.TryGetValue(topic, out var known))
        {
            return known;
        }

        var count = await TryGetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        if (count is null)
        {
            NatsErrors.ThrowUnknownTopic(topic);
        }

        return _partitions[topic] = count.Value;
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<PartitionWatermarks>> GetWatermarksAsync(string topic, CancellationToken cancellationToken = default)
    {
        var partitions = await GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        var result = new PartitionWatermarks[partitions];
        for (var p = 0; p < partitions; p++)
        {
            var state = (await GetStreamAsync(topic, p, cancellationToken).ConfigureAwait(false)).Info.State;
            var high = (long)state.LastSeq;
            var low = state.Messages == 0 ? high : (long)state.FirstSeq - 1;
            result[p] = new PartitionWatermarks(p, low, high);
        }

        return result;
    }

    /// <inheritdoc />
    public async ValueTask<StreamDeliveryResult> ProduceMessageAsync(string topic, OutgoingMessage message, CancellationToken cancellationToken = default)
    {
        var partitions = await GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        var partition = ChoosePartition(topic, message, partitions);
        var ack = await PublishAsync(NatsNames.Subject(Options, topic, partition), message.Value, ToHeaders(message), topic, cancellationToken).ConfigureAwait(false);
        return new StreamDeliveryResult(topic, partition, (long)ack.Seq - 1, message.Timestamp ?? TimeProvider.System.GetUtcNow());
    }

    /// <inheritdoc />
    public async ValueTask ProduceMessagesAsync(string topic, ReadOnlyMemory<OutgoingMessage> messages, CancellationToken cancellationToken = default)
    {
        var partitions = await GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        var targets = new (string Subject, OutgoingMessage Message)[messages.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            var message = messages.Span[i];
            targets[i] = (NatsNames.Subject(Options, topic, ChoosePartition(topic, message, partitions)), message);
        }

        await PublishBatchAsync(targets.Length, i => targets[i].Subject, i => targets[i].Message.Value, i => ToHeaders(targets[i].Message), topic, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async ValueTask<IStreamConsumer> ConsumeStreamAsync(string topic, StreamConsumerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new StreamConsumerOptions();
        ArgumentException.ThrowIfNullOrWhiteSpace(options.GroupId);
        var partitions = await GetPartitionCountAsync(topic, cancellationToken).ConfigureAwait(false);
        var feeds = Enumerable.Range(0, partitions).Select(p => new NatsFeed(p, NatsNames.Stream(Options, topic, p), null)).ToArray();
        return await JoinAsync(topic, options.GroupId, options.StartFrom, feeds, Options.MaxAckPending, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Joins a group over some JetStream streams: one durable pull consumer per stream (shared with the user-stream source).</summary>
    internal async ValueTask<NatsStreamConsumer> JoinAsync(string topic, string group, StreamStartPosition startFrom, IReadOnlyList<NatsFeed> feeds, int maxAckPending, CancellationToken cancellationToken)
    {
        var key = topic + "\n" + group;
        var consumer = new NatsStreamConsumer(this, topic, group, feeds, startFrom, maxAckPending, () => _members.TryRemove(key, out _));
        if (!_members.TryAdd(key, consumer))
        {
            throw new StreamFrameworkException(
                StreamErrorCode.Stopped,
                $"Group '{group}' already has a member reading '{topic}' in this NATS framework; a JetStream group has one reader per partition stream at a time.",
                topic);
        }

        try
        {
            await consumer.StartAsync(cancellationToken).ConfigureAwait(false);
            return consumer;
        }
        catch
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Publishes <paramref name="count"/> messages, up to <see cref="PublishWindow"/> awaiting their PubAck at a time,
    /// and completes once every one is acknowledged (stored). The one publish loop of the framework and the sink.
    /// </summary>
    internal async ValueTask PublishBatchAsync(
        int count, Func<int, string> subject, Func<int, ReadOnlyMemory<byte>> payload, Func<int, NatsHeaders?> headers, string topic, CancellationToken cancellationToken)
    {
        var js = JetStream;
        var limit = MaxPayload;
        for (var i = 0; i < count; i++)
        {
            if (payload(i).Length > limit)
            {
                throw new StreamFrameworkException(
                    StreamErrorCode.MessageTooLarge, $"A message of {payload(i).Length} bytes for '{topic}' is above the server's max_payload of {limit} bytes.", topic, 0);
            }
        }

        var pending = new Queue<(Task<PubAckResponse> Ack, int Index)>(Math.Min(count, PublishWindow));
        for (var i = 0; i < count || pending.Count > 0;)
        {
            if (i < count && pending.Count < PublishWindow)
            {
                pending.Enqueue((js.PublishAsync(subject(i), payload(i), headers: headers(i), cancellationToken: cancellationToken).AsTask(), i));
                i++;
                continue;
            }

            var (ack, index) = pending.Dequeue();
            await CheckAsync(new ValueTask<PubAckResponse>(ack), subject(index), topic, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Gets the info of a stream by its JetStream name, or <see langword="null"/> when it does not exist.</summary>
    internal async ValueTask<INatsJSStream?> TryGetStreamAsync(string stream, CancellationToken cancellationToken)
    {
        var js = JetStream;
        try
        {
            return await js.GetStreamAsync(stream, cancellationToken: cancellationToken).ConfigureAwait(false);
        }
        catch (NatsJSApiException e) when (NatsErrors.IsNotFound(e, NatsErrors.StreamNotFound))
        {
            return null;
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw NatsErrors.Classify($"read stream '{stream}'", e, Options.Secrets());
        }
    }

    /// <summary>Runs a JetStream call, classifying its failure.</summary>
    internal async ValueTask<T> CallAsync<T>(string operation, Func<ValueTask<T>> call, CancellationToken cancellationToken)
    {
        _ = JetStream;
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            // OperationCanceledException with the caller's token not cancelled: NATS.Net's own timeout of a call made while
            // disconnected, transient like a lost connection.
            throw NatsErrors.Classify(operation, e, Options.Secrets());
        }
    }

    private async ValueTask<PubAckResponse> PublishAsync(string subject, ReadOnlyMemory<byte> payload, NatsHeaders? headers, string topic, CancellationToken cancellationToken)
    {
        var js = JetStream;
        if (payload.Length > MaxPayload)
        {
            throw new StreamFrameworkException(
                StreamErrorCode.MessageTooLarge, $"A message of {payload.Length} bytes for '{topic}' is above the server's max_payload of {MaxPayload} bytes.", topic, 0);
        }

        return await CheckAsync(js.PublishAsync(subject, payload, headers: headers, cancellationToken: cancellationToken), subject, topic, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask<PubAckResponse> CheckAsync(ValueTask<PubAckResponse> pending, string subject, string topic, CancellationToken cancellationToken)
    {
        PubAckResponse ack;
        try
        {
            ack = await pending.ConfigureAwait(false);
        }
        catch (NatsNoRespondersException) when (!cancellationToken.IsCancellationRequested)
        {
            NatsErrors.ThrowUnknownTopic(topic);
            throw;
        }
        catch (Exception e) when (e is NatsException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw _state == 2 ? new StreamFrameworkException(StreamErrorCode.Stopped, "The NATS stream framework was stopped.") : NatsErrors.Classify($"publish to '{subject}'", e, Options.Secrets());
        }

        if (ack.Error is { } error)
        {
            throw new Errors.DataWeaverException(Errors.ErrorClass.Fatal, $"NATS publish to '{subject}' was refused (JetStream error {error.ErrCode}: {error.Description}).");
        }

        return ack;
    }

    private async ValueTask<INatsJSStream> GetStreamAsync(string topic, int partition, CancellationToken cancellationToken) =>
        await TryGetStreamAsync(NatsNames.Stream(Options, topic, partition), cancellationToken).ConfigureAwait(false) ?? throw UnknownTopic(topic);

    private async ValueTask<int?> TryGetPartitionCountAsync(string topic, CancellationToken cancellationToken)
    {
        var stream = await TryGetStreamAsync(NatsNames.Stream(Options, topic, 0), cancellationToken).ConfigureAwait(false);
        var description = stream?.Info.Config.Description;
        const string Marker = "dataweaver partitions=";
        if (description is null || !description.StartsWith(Marker, StringComparison.Ordinal))
        {
            return null;
        }

        var digits = description.AsSpan(Marker.Length);
        var end = digits.IndexOf(' ');
        return int.Parse(end < 0 ? digits : digits[..end], NumberStyles.None, CultureInfo.InvariantCulture);
    }

    private int ChoosePartition(string topic, in OutgoingMessage message, int partitions)
    {
        if (message.Partition is { } explicitPartition)
        {
            if ((uint)explicitPartition >= (uint)partitions)
            {
                throw new StreamFrameworkException(
                    StreamErrorCode.UnknownPartition,
                    $"Partition {explicitPartition} does not exist in stream '{topic}', which has {partitions} partition(s) (0 to {partitions - 1}).",
                    topic,
                    explicitPartition);
            }

            return explicitPartition;
        }

        return message.Key.IsEmpty
            ? (int)((uint)Interlocked.Increment(ref _roundRobin) % (uint)partitions)
            : StreamPartitioner.ForKey(message.Key.Span, partitions);
    }

    private static NatsHeaders? ToHeaders(in OutgoingMessage message) => ToHeaders(message.Key, message.Headers, message.Timestamp, null);

    /// <summary>The NATS headers of a message: its record headers, its key (<c>Dw-Key</c>), timestamp (<c>Dw-Timestamp</c>) and JetStream message id (<c>Nats-Msg-Id</c>).</summary>
    internal static NatsHeaders? ToHeaders(ReadOnlyMemory<byte> key, RecordHeaders? recordHeaders, DateTimeOffset? timestamp, string? messageId)
    {
        if (key.IsEmpty && timestamp is null && messageId is null && recordHeaders is not { Count: > 0 })
        {
            return null;
        }

        var headers = new NatsHeaders();
        if (recordHeaders is not null)
        {
            AddHeaders(headers, recordHeaders);
        }

        if (!key.IsEmpty)
        {
            headers[KeyHeader] = Convert.ToBase64String(key.Span);
        }

        if (timestamp is { } time)
        {
            headers[TimestampHeader] = time.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture);
        }

        if (messageId is not null && !headers.ContainsKey(MessageIdHeader))
        {
            headers[MessageIdHeader] = messageId;
        }

        return headers;
    }

    /// <summary>Adds record headers to NATS headers (values as UTF-8 text; a repeated name keeps every value).</summary>
    internal static void AddHeaders(NatsHeaders headers, RecordHeaders recordHeaders)
    {
        foreach (var header in recordHeaders)
        {
            var value = System.Text.Encoding.UTF8.GetString(header.Value.Span);
            headers[header.Name] = headers.TryGetValue(header.Name, out var existing) ? Microsoft.Extensions.Primitives.StringValues.Concat(existing, value) : value;
        }
    }

    /// <summary>Reads a delivered message's key, timestamp and other headers back (the inverse of the produce side).</summary>
    internal static (ReadOnlyMemory<byte> Key, RecordHeaders? Headers, DateTimeOffset? Timestamp) FromHeaders(NatsHeaders? headers)
    {
        if (headers is null || headers.Count == 0)
        {
            return (ReadOnlyMemory<byte>.Empty, null, null);
        }

        ReadOnlyMemory<byte> key = ReadOnlyMemory<byte>.Empty;
        DateTimeOffset? timestamp = null;
        RecordHeaders? result = null;
        foreach (var (name, values) in headers)
        {
            if (name == KeyHeader)
            {
                key = Convert.FromBase64String(values.ToString());
            }
            else if (name == TimestampHeader && long.TryParse(values.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms))
            {
                timestamp = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            }
            else
            {
                result ??= new RecordHeaders();
                foreach (var value in values)
                {
                    result.Add(name, value ?? string.Empty);
                }
            }
        }

        return (key, result, timestamp);
    }

    private string Scrub(string text) => NatsErrors.Scrub(text, Options.Secrets());

    private static StreamFrameworkException UnknownTopic(string topic) =>
        new(StreamErrorCode.UnknownTopic, $"Stream '{topic}' does not exist in NATS JetStream (create it with CreateStreamAsync).", topic);

    private static NatsJSContext NotStarted()
    {
        NatsErrors.ThrowNotStarted();
        return null;
    }

    private static NatsJSContext Stopped()
    {
        NatsErrors.ThrowStopped();
        return null;
    }
}
