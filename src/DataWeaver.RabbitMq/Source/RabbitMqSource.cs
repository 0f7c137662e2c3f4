using System.Globalization;
using System.Text;
using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Messaging.Internal;
using DataWeaver.Records;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace DataWeaver.RabbitMq;

/// <summary>
/// Consumes a RabbitMQ queue with manual acknowledgements: a delivery is acknowledged only once the pipeline's commit covers it
/// (at least once). Create it with <see cref="RabbitMqPipelineExtensions.FromRabbitMq"/> to tie the prefetch to the pipeline's
/// in-flight bound, or from a definition file (<c>type: rabbitmq</c>).
/// </summary>
/// <remarks>
/// <para>
/// Positions: a record's partition is the channel it came on (0 for the first channel of the run, 1 after a reconnection, ...),
/// its offset the delivery tag. The engine acknowledges records per partition in order; each commit acknowledges, on the channel
/// that delivered them, every delivery up to the newest contiguous acknowledged one with one <c>basic.ack</c>
/// (<c>multiple = true</c>). A crash or stop leaves the rest unacknowledged, and the broker delivers them again.
/// </para>
/// <para>
/// Records: the value is the message body (a copy), the key the routing key (UTF-8), the headers the message's AMQP headers
/// (byte arrays as they are, other values as invariant text) plus <c>rabbitmq.redelivered: true</c> on a message the broker
/// delivered before (it may have been handled already), the timestamp the message's own (else the clock's).
/// </para>
/// <para>
/// A broker that goes away (a restart) is reconnected to for up to <see cref="RabbitMqConnectionOptions.ReconnectTimeout"/>: the
/// deliveries of the lost channel not yet in the pipeline are dropped (the broker requeued them), those in the pipeline are
/// written, and the broker delivers them again, flagged redelivered: nothing is lost, duplicates stay within the in-flight bound.
/// </para>
/// </remarks>
public sealed class RabbitMqSource : SourceConnector<Record<ReadOnlyMemory<byte>>>
{
    private const string RedeliveredHeader = "rabbitmq.redelivered";
    private static readonly byte[] True = "true"u8.ToArray();

    private readonly Channel<BrokerDelivery> _deliveries = Channel.CreateUnbounded<BrokerDelivery>(new UnboundedChannelOptions { SingleReader = true });
    private readonly string _endpoint;
    private Session? _session;
    private int _generation = -1;
    private long _peakUnacknowledged;
    private long _reconnections;
    private volatile bool _closing;

    /// <summary>Creates the source.</summary>
    /// <param name="options">The queue, the broker and the prefetch.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>rabbitmq:{queue}</c>.</param>
    /// <exception cref="PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public RabbitMqSource(RabbitMqSourceOptions options, string? name = null)
        : base(name ?? "rabbitmq:" + options?.Queue)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = BrokerConnections.Check(options, options.Validate());
        _endpoint = options.Connection.ToString();
    }

    /// <summary>Gets the options.</summary>
    public RabbitMqSourceOptions Options { get; }

    /// <summary>Gets the prefetch the channel uses (<see cref="RabbitMqSourceOptions.PrefetchCount"/> or its default).</summary>
    public int PrefetchCount => Options.PrefetchCount ?? RabbitMqSourceOptions.DefaultPrefetchCount;

    /// <summary>Gets how many deliveries of the current channel are not acknowledged yet (delivered minus acknowledged).</summary>
    public long Unacknowledged => _session is { } session ? Volatile.Read(ref session.LastDelivered) - Volatile.Read(ref session.LastAcknowledged) : 0;

    /// <summary>Gets the most deliveries that were ever unacknowledged at once on one channel in this source's life; never above <see cref="PrefetchCount"/>.</summary>
    public long PeakUnacknowledged => Volatile.Read(ref _peakUnacknowledged);

    /// <summary>Gets how many times the source reconnected after the broker went away.</summary>
    public long Reconnections => Interlocked.Read(ref _reconnections);

    /// <inheritdoc />
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _closing = false;
        _session = await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<Record<ReadOnlyMemory<byte>>> ReadAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("RabbitMqSource reads through its SourceReader (CreateReader).");

    /// <inheritdoc />
    public override SourceReader<Record<ReadOnlyMemory<byte>>> CreateReader() => new BrokerDeliveryReader(
        _deliveries,
        () => Volatile.Read(ref _generation),
        () => _session is not { Broken: false },
        record => new RecordTooLargeException($"{Name} delivery {record.Position}", record.Value.Length, Options.MaxMessageBytes),
        ReconnectAsync);

    /// <inheritdoc />
    protected override SourcePosition GetResumePosition(in Record<ReadOnlyMemory<byte>> record, long ordinal) =>
        new(record.Position.Partition, record.Position.Offset + 1);

    /// <inheritdoc />
    /// <remarks>Acknowledges (<c>basic.ack</c>, <c>multiple</c>) every delivery of the current channel before the position. Positions of an earlier, lost channel are ignored: the broker requeued those messages.</remarks>
    public override async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (_session is not { } session)
        {
            return;
        }

        foreach (var position in positions)
        {
            var tag = position.Offset - 1;
            if (position.Partition != session.Generation || tag <= Volatile.Read(ref session.LastAcknowledged) || !session.Channel.IsOpen)
            {
                continue;
            }

            try
            {
                await session.Channel.BasicAckAsync((ulong)tag, multiple: true, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref session.LastAcknowledged, tag);
            }
            catch (Exception error) when (error is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException or RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // The channel died meanwhile: the broker requeues its unacknowledged messages and delivers them again.
            }
        }
    }

    /// <inheritdoc />
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        _closing = true;
        if (Interlocked.Exchange(ref _session, null) is { } session)
        {
            await session.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<Session> ConnectAsync(CancellationToken cancellationToken)
    {
        var connection = Options.Connection;
        IConnection? amqp = null;
        try
        {
            amqp = await connection.CreateFactory(Name).CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            var channel = await amqp.CreateChannelAsync(cancellationToken: cancellationToken).ConfigureAwait(false);
            if (Options.DeclareQueue)
            {
                await channel.QueueDeclareAsync(Options.Queue, durable: true, exclusive: false, autoDelete: false, RabbitMqQueues.Arguments(Options.QueueType), cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            await channel.BasicQosAsync(0, (ushort)PrefetchCount, global: false, cancellationToken).ConfigureAwait(false);
            var session = new Session(amqp, channel, Interlocked.Increment(ref _generation));
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += (_, delivery) => OnDeliveryAsync(session, delivery);
            amqp.ConnectionShutdownAsync += (_, _) => OnShutdown(session);
            channel.ChannelShutdownAsync += (_, _) => OnShutdown(session);
            await channel.BasicConsumeAsync(Options.Queue, autoAck: false, consumer, cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            if (amqp is not null)
            {
                await amqp.DisposeAsync().ConfigureAwait(false);
            }

            throw RabbitMqErrors.Map(error, $"Consume from '{Options.Queue}' at {_endpoint}");
        }
    }

    private Task OnDeliveryAsync(Session session, BasicDeliverEventArgs delivery)
    {
        var tag = (long)delivery.DeliveryTag;
        Volatile.Write(ref session.LastDelivered, tag);
        var unacknowledged = tag - Volatile.Read(ref session.LastAcknowledged);
        BrokerConnections.RaisePeak(ref _peakUnacknowledged, unacknowledged);

        var position = new SourcePosition(session.Generation, tag);
        var body = delivery.Body.ToArray();
        if (body.Length > Options.MaxMessageBytes)
        {
            _deliveries.Writer.TryWrite(new BrokerDelivery(session.Generation, new Record<ReadOnlyMemory<byte>>(default, body, null, default, position), Poison: true));
            return Task.CompletedTask;
        }

        var properties = delivery.BasicProperties;
        var headers = Headers(properties.Headers, delivery.Redelivered);
        var timestamp = properties.IsTimestampPresent()
            ? DateTimeOffset.FromUnixTimeSeconds(properties.Timestamp.UnixTime)
            : Options.Connection.TimeProvider.GetUtcNow();
        var key = delivery.RoutingKey.Length == 0 ? ReadOnlyMemory<byte>.Empty : Encoding.UTF8.GetBytes(delivery.RoutingKey);
        _deliveries.Writer.TryWrite(new BrokerDelivery(session.Generation, new Record<ReadOnlyMemory<byte>>(key, body, headers, timestamp, position)));
        return Task.CompletedTask;
    }

    private static RecordHeaders? Headers(IDictionary<string, object?>? amqp, bool redelivered)
    {
        if ((amqp is null || amqp.Count == 0) && !redelivered)
        {
            return null;
        }

        var headers = new RecordHeaders();
        if (amqp is not null)
        {
            foreach (var (name, value) in amqp)
            {
                switch (value)
                {
                    case null:
                        break;
                    case byte[] bytes:
                        headers.Add(name, bytes);
                        break;
                    case IFormattable formattable:
                        headers.Add(name, formattable.ToString(null, CultureInfo.InvariantCulture));
                        break;
                    default:
                        headers.Add(name, value.ToString() ?? "");
                        break;
                }
            }
        }

        if (redelivered)
        {
            headers.Add(RedeliveredHeader, True);
        }

        return headers;
    }

    private Task OnShutdown(Session session)
    {
        if (!_closing && !session.Broken)
        {
            session.Broken = true;
            _deliveries.Writer.TryWrite(new BrokerDelivery(session.Generation, default, IsBreak: true));
        }

        return Task.CompletedTask;
    }

    private async ValueTask ReconnectAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _session, null) is { } old)
        {
            await old.DisposeAsync().ConfigureAwait(false);
        }

        var connection = Options.Connection;
        _session = await BrokerConnections.ReconnectAsync(ConnectAsync, _endpoint, connection.ReconnectTimeout, connection.ReconnectDelay, connection.TimeProvider, cancellationToken).ConfigureAwait(false);
        Interlocked.Increment(ref _reconnections);
    }

    private sealed class Session(IConnection connection, IChannel channel, int generation) : IAsyncDisposable
    {
        public long LastDelivered;
        public long LastAcknowledged;

        public IConnection Connection { get; } = connection;

        public IChannel Channel { get; } = channel;

        public int Generation { get; } = generation;

        public bool Broken { get; set; }

        public async ValueTask DisposeAsync()
        {
            Broken = true;
            try
            {
                if (Channel.IsOpen)
                {
                    await Channel.CloseAsync().ConfigureAwait(false);
                }

                if (Connection.IsOpen)
                {
                    await Connection.CloseAsync().ConfigureAwait(false);
                }
            }
            catch (Exception error) when (error is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException or RabbitMQ.Client.Exceptions.OperationInterruptedException or OperationCanceledException)
            {
                // Already gone: the broker requeues what was not acknowledged.
            }

            await Channel.DisposeAsync().ConfigureAwait(false);
            await Connection.DisposeAsync().ConfigureAwait(false);
        }
    }

}
