using System.Text;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Messaging.Internal;
using DataWeaver.Records;
using MQTTnet;
using MQTTnet.Protocol;

namespace DataWeaver.Mqtt;

/// <summary>
/// Publishes each record as an MQTT message at QoS 1: a batch is acknowledged to the pipeline only once the broker acknowledged
/// (PUBACK) every message of it, so the source commits nothing the broker does not hold.
/// </summary>
/// <remarks>
/// A message's topic is <see cref="MqttSinkOptions.Topic"/> or else the record's key, its payload the record's value, and (MQTT 5)
/// its user properties the record's headers. A PUBACK with a failure reason code (MQTT 5: not authorized, topic name invalid,
/// quota exceeded, ...) fails its batch with a data error. Batches are published in order on one connection and acknowledged
/// in the background; a broker that went away is reconnected to before the next batch, and the batches not acknowledged on the
/// lost connection fail with a transient error (the run's retry or restart publishes them again: at least once).
/// </remarks>
public sealed class MqttSink : SinkConnector<Record<ReadOnlyMemory<byte>>>
{
    private readonly string _endpoint;
    private readonly string _operation;
    private readonly PendingBatches _pending;
    private IMqttClient? _client;

    /// <summary>Creates the sink.</summary>
    /// <param name="options">The topic and the broker.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>mqtt:{topic}</c>.</param>
    /// <exception cref="PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public MqttSink(MqttSinkOptions options, string? name = null)
        : base(name ?? "mqtt:" + (options?.Topic ?? "by key"))
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = BrokerConnections.Check(options, options.Validate());
        _endpoint = options.Connection.ToString();
        _operation = $"Publish to {(options.Topic is null ? "the records' topics" : "'" + options.Topic + "'")} at {_endpoint}";
        _pending = new PendingBatches(
            publish => ((Task<MqttClientPublishResult>)publish).Result is { IsSuccess: false } refused
                ? new DataWeaverException(ErrorClass.Data, $"{_operation} failed: the broker refused the message ({refused.ReasonCode} {refused.ReasonString}).")
                : null,
            error => MqttErrors.Map(error, _operation));
    }

    /// <summary>Gets the options.</summary>
    public MqttSinkOptions Options { get; }

    /// <inheritdoc />
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default) => _client = await ConnectAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public override ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("MqttSink writes through WriteBatchAsync.");

    /// <inheritdoc />
    public override async ValueTask WriteBatchAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, SinkAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
    {
        if (_client is not { IsConnected: true })
        {
            await ReconnectAsync(cancellationToken).ConfigureAwait(false);
        }

        var client = _client!;
        var publishes = new Task[batch.Length];
        for (var i = 0; i < batch.Length; i++)
        {
            var record = batch.Span[i];
            var message = new MqttApplicationMessageBuilder()
                .WithTopic(Options.Topic ?? Encoding.UTF8.GetString(record.Key.Span))
                .WithPayload(record.Value.ToArray())
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .WithRetainFlag(Options.Retain);
            if (record.Headers is { Count: > 0 } headers && Options.Connection.Version == MqttVersion.V5)
            {
                foreach (var header in headers)
                {
                    message = message.WithUserProperty(header.Name, header.Value);
                }
            }

            publishes[i] = client.PublishAsync(message.Build(), cancellationToken);
        }

        _pending.Add(publishes, acknowledgement);
    }

    /// <inheritdoc />
    /// <remarks>Waits until the broker acknowledged (or refused) every message published.</remarks>
    public override async ValueTask FlushAsync(CancellationToken cancellationToken = default) =>
        await _pending.WhenAllAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    /// <remarks>Waits up to <see cref="MqttConnectionOptions.OperationTimeout"/> for outstanding PUBACKs first.</remarks>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        await _pending.WhenAllAsync(Options.Connection.OperationTimeout, Options.Connection.TimeProvider, cancellationToken).ConfigureAwait(false);

        await DisconnectAsync().ConfigureAwait(false);
    }

    private async Task<IMqttClient> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            // MQTTnet applies its own timeout only to a token that cannot be cancelled.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(Options.Connection.OperationTimeout);
            await client.ConnectAsync(Options.Connection.Build(persistentSession: false, receiveMaximum: 0), timeout.Token).ConfigureAwait(false);
            return client;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw MqttErrors.Map(error, _operation);
        }
    }

    private async ValueTask ReconnectAsync(CancellationToken cancellationToken)
    {
        await DisconnectAsync().ConfigureAwait(false);
        var connection = Options.Connection;
        _client = await BrokerConnections.ReconnectAsync(ConnectAsync, _endpoint, connection.ReconnectTimeout, connection.ReconnectDelay, connection.TimeProvider, cancellationToken).ConfigureAwait(false);
    }

    private async ValueTask DisconnectAsync()
    {
        if (Interlocked.Exchange(ref _client, null) is not { } client)
        {
            return;
        }

        try
        {
            if (client.IsConnected)
            {
                await client.DisconnectAsync().ConfigureAwait(false);
            }
        }
        catch (Exception error) when (error is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or OperationCanceledException)
        {
            // Already gone.
        }

        client.Dispose();
    }
}
