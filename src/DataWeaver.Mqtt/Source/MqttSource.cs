using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using System.Threading.Channels;
using DataWeaver.Connectors;
using DataWeaver.Errors;
using DataWeaver.Messaging.Internal;
using DataWeaver.Records;
using MQTTnet;
using MQTTnet.Packets;
using MQTTnet.Protocol;

namespace DataWeaver.Mqtt;

/// <summary>
/// Subscribes to MQTT topics at QoS 1 in a persistent session and acknowledges (PUBACK) a message only once the pipeline's
/// commit covers it (at least once). Create it with <see cref="MqttPipelineExtensions.FromMqtt"/> to tie the in-flight limit to
/// the pipeline's bound, or from a definition file (<c>type: mqtt</c>).
/// </summary>
/// <remarks>
/// <para>
/// Positions: a record's partition is the connection it came on (0, then 1 after a reconnection, ...), its offset the message's
/// number on that connection (from 1). Acknowledgements go out in the order the messages came, as MQTT requires. A source that
/// stops or crashes leaves the rest unacknowledged in its session; the broker sends them again (flagged <c>mqtt.dup: true</c>)
/// when a source with the same client id connects.
/// </para>
/// <para>
/// Records: the value is the payload (a copy), the key the topic (UTF-8), the headers MQTT 5's user properties, plus
/// <c>mqtt.dup: true</c> on a message sent again.
/// </para>
/// </remarks>
public sealed class MqttSource : SourceConnector<Record<ReadOnlyMemory<byte>>>
{
    private static readonly byte[] True = "true"u8.ToArray();
    private readonly string _endpoint;
    private readonly Channel<BrokerDelivery> _deliveries;
    private Session? _session;
    private int _generation = -1;
    private long _peakUnacknowledged;
    private volatile bool _closing;

    /// <summary>Creates the source.</summary>
    /// <param name="options">The topics, the broker and the in-flight limit.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>mqtt:{first topic}</c>.</param>
    /// <exception cref="PipelineConfigurationException">The options are invalid (every problem listed).</exception>
    public MqttSource(MqttSourceOptions options, string? name = null)
        : base(name ?? "mqtt:" + (options?.Topics is { Count: > 0 } topics ? topics[0] : ""))
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = BrokerConnections.Check(options, options.Validate());
        _endpoint = options.Connection.ToString();
        _deliveries = Channel.CreateBounded<BrokerDelivery>(new BoundedChannelOptions(MaxInFlight) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    /// <summary>Gets the options.</summary>
    public MqttSourceOptions Options { get; }

    /// <summary>Gets the in-flight limit in use (<see cref="MqttSourceOptions.MaxInFlight"/> or its default).</summary>
    public int MaxInFlight => Options.MaxInFlight ?? MqttSourceOptions.DefaultMaxInFlight;

    /// <summary>Gets how many messages of the current connection are not acknowledged yet.</summary>
    public long Unacknowledged => _session?.Pending.Count ?? 0;

    /// <summary>Gets the most messages ever unacknowledged at once on one connection in this source's life.</summary>
    public long PeakUnacknowledged => Volatile.Read(ref _peakUnacknowledged);

    /// <inheritdoc />
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        _closing = false;
        _session = await ConnectAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public override IAsyncEnumerable<Record<ReadOnlyMemory<byte>>> ReadAsync(CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("MqttSource reads through its SourceReader (CreateReader).");

    /// <inheritdoc />
    public override SourceReader<Record<ReadOnlyMemory<byte>>> CreateReader() => new BrokerDeliveryReader(
        _deliveries,
        () => Volatile.Read(ref _generation),
        record => new RecordTooLargeException($"{Name} message {record.Position} on '{Encoding.UTF8.GetString(record.Key.Span)}'", record.Value.Length, Options.MaxMessageBytes),
        ReconnectAsync);

    /// <inheritdoc />
    protected override SourcePosition GetResumePosition(in Record<ReadOnlyMemory<byte>> record, long ordinal) =>
        new(record.Position.Partition, record.Position.Offset + 1);

    /// <inheritdoc />
    /// <remarks>Sends the PUBACKs of every message of the current connection before the position, in arrival order. Positions of a lost connection are ignored: the broker sends those messages again.</remarks>
    public override async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (_session is not { } session)
        {
            return;
        }

        foreach (var position in positions)
        {
            if (position.Partition != session.Generation)
            {
                continue;
            }

            while (session.Pending.TryPeek(out var pending) && pending.Number < position.Offset)
            {
                session.Pending.TryDequeue(out _);
                if (!session.Client.IsConnected)
                {
                    continue;
                }

                try
                {
                    // Not cancellable: a PUBACK abandoned half way would be lost for good (the next commit starts after it).
                    await pending.Message.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception error) when (error is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or ObjectDisposedException)
                {
                    // The connection died meanwhile: the broker sends the message again in the resumed session.
                }
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
        var client = new MqttClientFactory().CreateMqttClient();
        var session = new Session(client, Interlocked.Increment(ref _generation));
        client.ApplicationMessageReceivedAsync += message => OnMessageAsync(session, message);
        client.DisconnectedAsync += _ => OnDisconnected(session);
        try
        {
            await client.ConnectAsync(Options.Connection.Build(persistentSession: true, (ushort)MaxInFlight), cancellationToken).ConfigureAwait(false);
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var topic in Options.Topics)
            {
                subscribe = subscribe.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            await client.SubscribeAsync(subscribe.Build(), cancellationToken).ConfigureAwait(false);
            return session;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            client.Dispose();
            throw MqttErrors.Map(error, $"Subscribe to {string.Join(", ", Options.Topics)} at {_endpoint}");
        }
    }

    private async Task OnMessageAsync(Session session, MqttApplicationMessageReceivedEventArgs message)
    {
        message.AutoAcknowledge = false;
        var number = Interlocked.Increment(ref session.Received);
        session.Pending.Enqueue(new Pending(number, message));
        var unacknowledged = session.Pending.Count;
        BrokerConnections.RaisePeak(ref _peakUnacknowledged, unacknowledged);

        var application = message.ApplicationMessage;
        var payload = application.Payload.ToArray();
        var position = new SourcePosition(session.Generation, number);
        RecordHeaders? headers = null;
        if (application.UserProperties is { Count: > 0 } properties)
        {
            headers = new RecordHeaders();
            foreach (var property in properties)
            {
                headers.Add(property.Name, property.ReadValueAsString());
            }
        }

        if (application.Dup)
        {
            (headers ??= new RecordHeaders()).Add("mqtt.dup", True);
        }

        var record = new Record<ReadOnlyMemory<byte>>(Encoding.UTF8.GetBytes(application.Topic), payload, headers, Options.Connection.TimeProvider.GetUtcNow(), position);
        try
        {
            // Waits while the pipeline is full: the client stops reading the connection, and the broker keeps the rest.
            await _deliveries.Writer.WriteAsync(new BrokerDelivery(session.Generation, record, Poison: payload.Length > Options.MaxMessageBytes), session.Stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Closing or disconnected: the message stays unacknowledged, and the broker sends it again.
        }
    }

    private Task OnDisconnected(Session session)
    {
        if (!_closing && !session.Broken)
        {
            session.Broken = true;
            session.Stopping.Cancel();
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
    }

    private readonly record struct Pending(long Number, MqttApplicationMessageReceivedEventArgs Message);

    private sealed class Session(IMqttClient client, int generation) : IAsyncDisposable
    {
        public long Received;

        public IMqttClient Client { get; } = client;

        public int Generation { get; } = generation;

        public ConcurrentQueue<Pending> Pending { get; } = new();

        public CancellationTokenSource Stopping { get; } = new();

        public bool Broken { get; set; }

        public async ValueTask DisposeAsync()
        {
            Broken = true;
            await Stopping.CancelAsync().ConfigureAwait(false);
            try
            {
                if (Client.IsConnected)
                {
                    // A round trip first: the broker has handled every PUBACK sent before it answers.
                    await Client.PingAsync().ConfigureAwait(false);
                    await Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build()).ConfigureAwait(false);
                }
            }
            catch (Exception error) when (error is MQTTnet.Exceptions.MqttCommunicationException or InvalidOperationException or OperationCanceledException)
            {
                // Already gone: the session keeps what was not acknowledged.
            }

            Client.Dispose();
            Stopping.Dispose();
        }
    }

}
