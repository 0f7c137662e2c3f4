using System.Text;
using DataWeaver.Connectors;
using DataWeaver.Messaging.Internal;
using DataWeaver.Records;
using DataWeaver.Tracing;
using RabbitMQ.Client;

namespace DataWeaver.RabbitMq;

/// <summary>
/// Publishes each record as a RabbitMQ message with publisher confirms: a batch is acknowledged to the pipeline only once the
/// broker confirmed every message of it, so the source commits nothing the broker does not hold.
/// </summary>
/// <remarks>
/// <para>
/// A message's body is the record's value, its routing key <see cref="RabbitMqSinkOptions.RoutingKey"/> or else the record's
/// key, its headers the record's headers (as byte arrays), its timestamp the record's. Publishing is mandatory by default: a
/// message the broker cannot route is returned, and its batch fails with a data error (the pipeline's sink error policy then
/// fails the run, or dead-letters the batch). A message the broker refuses (nack) fails its batch with a transient error.
/// </para>
/// <para>
/// Batches are published in order on one channel and confirmed in the background: the next batch is published while the broker
/// confirms the previous ones, up to the pipeline's in-flight bound. A broker that went away is reconnected to before the next
/// batch (for up to <see cref="RabbitMqConnectionOptions.ReconnectTimeout"/>); the batches unconfirmed on the lost channel fail
/// with a transient error, which the run's retry or restart turns into a new publish (at least once).
/// </para>
/// </remarks>
public sealed class RabbitMqSink : SinkConnector<Record<ReadOnlyMemory<byte>>>
{
    private readonly string _endpoint;
    private readonly string _operation;
    private readonly BasicProperties _plain;
    private IConnection? _connection;
    private IChannel? _channel;
    private readonly PendingBatches _pending;

    /// <summary>Creates the sink.</summary>
    /// <param name="options">The exchange, routing and broker.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>rabbitmq:{exchange or routing key}</c>.</param>
    /// <exception cref="Errors.PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public RabbitMqSink(RabbitMqSinkOptions options, string? name = null)
        : base(name ?? "rabbitmq:" + (options?.Exchange is { Length: > 0 } exchange ? exchange : options?.RoutingKey ?? "default"))
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = BrokerConnections.Check(options, options.Validate());
        _endpoint = options.Connection.ToString();
        _operation = $"Publish to exchange '{options.Exchange}' at {_endpoint}";
        _plain = Properties(null, default);
        _pending = new PendingBatches(static _ => null, error => RabbitMqErrors.Map(error, _operation));
    }

    /// <summary>Gets the options.</summary>
    public RabbitMqSinkOptions Options { get; }

    /// <inheritdoc />
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default) => await ConnectAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("RabbitMqSink writes through WriteBatchAsync.");

    /// <inheritdoc />
    public override async ValueTask WriteBatchAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, SinkAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
    {
        if (_channel is not { IsOpen: true })
        {
            await ReconnectAsync(cancellationToken).ConfigureAwait(false);
        }

        var channel = _channel!;
        var confirms = new Task[batch.Length];
        var trace = OutgoingTraceContext.Capture();
        for (var i = 0; i < batch.Length; i++)
        {
            var record = batch.Span[i];
            var routingKey = Options.RoutingKey ?? (record.Key.IsEmpty ? "" : Encoding.UTF8.GetString(record.Key.Span));
            var headers = trace.Apply(record.Headers);
            var properties = headers is { Count: > 0 } ? Properties(headers, record.Timestamp) : _plain;
            confirms[i] = channel.BasicPublishAsync(Options.Exchange, routingKey, Options.Mandatory, properties, record.Value, cancellationToken).AsTask();
        }

        _pending.Add(confirms, acknowledgement);
    }

    /// <inheritdoc />
    /// <remarks>Waits until the broker confirmed (or refused) every message published.</remarks>
    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        await _pending.WhenAllAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>Waits up to <see cref="RabbitMqConnectionOptions.OperationTimeout"/> for outstanding confirms first: closing the channel would fail them.</remarks>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        await _pending.WhenAllAsync(Options.Connection.OperationTimeout, Options.Connection.TimeProvider, cancellationToken).ConfigureAwait(false);

        await DisconnectAsync().ConfigureAwait(false);
    }

    private BasicProperties Properties(RecordHeaders? headers, DateTimeOffset timestamp)
    {
        var properties = new BasicProperties { DeliveryMode = Options.Persistent ? DeliveryModes.Persistent : DeliveryModes.Transient };
        if (headers is not null)
        {
            var amqp = new Dictionary<string, object?>(headers.Count, StringComparer.Ordinal);
            foreach (var header in headers)
            {
                amqp[header.Name] = header.Value.ToArray();
            }

            properties.Headers = amqp;
            if (timestamp != default)
            {
                properties.Timestamp = new AmqpTimestamp(timestamp.ToUnixTimeSeconds());
            }
        }

        return properties;
    }

    private async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            _connection = await Options.Connection.CreateFactory(Name).CreateConnectionAsync(cancellationToken).ConfigureAwait(false);
            _channel = await _connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true, outstandingPublisherConfirmationsRateLimiter: null),
                cancellationToken).ConfigureAwait(false);
            if (Options.DeclareQueue is { } queue)
            {
                await _channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, RabbitMqQueues.Arguments(Options.QueueType), cancellationToken: cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await DisconnectAsync().ConfigureAwait(false);
            throw RabbitMqErrors.Map(error, _operation);
        }
    }

    private async ValueTask ReconnectAsync(CancellationToken cancellationToken)
    {
        await DisconnectAsync().ConfigureAwait(false);
        var connection = Options.Connection;
        await BrokerConnections.ReconnectAsync(async token => { await ConnectAsync(token).ConfigureAwait(false); return true; }, _endpoint, connection.ReconnectTimeout, connection.ReconnectDelay, connection.TimeProvider, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask DisconnectAsync()
    {
        var (channel, connection) = (_channel, _connection);
        (_channel, _connection) = (null, null);
        try
        {
            if (channel is { IsOpen: true })
            {
                await channel.CloseAsync().ConfigureAwait(false);
            }

            if (connection is { IsOpen: true })
            {
                await connection.CloseAsync().ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is RabbitMQ.Client.Exceptions.AlreadyClosedException or IOException or RabbitMQ.Client.Exceptions.OperationInterruptedException or OperationCanceledException)
        {
            // Already gone.
        }

        if (channel is not null)
        {
            await channel.DisposeAsync().ConfigureAwait(false);
        }

        if (connection is not null)
        {
            await connection.DisposeAsync().ConfigureAwait(false);
        }
    }
}
