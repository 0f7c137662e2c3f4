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
    private static readonly TimeSpan CreditPoll = TimeSpan.FromMilliseconds(100);
    private readonly string _endpoint;
    private readonly Channel<BrokerDelivery> _deliveries;
    private Session? _session;
    private int _generation = -1;
    private long _peakUnacknowledged;
    private long _reconnections;
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
        // Unbounded: a connection's credits (MaxInFlight) bound what is in it, and a break mark always gets in.
        _deliveries = Channel.CreateUnbounded<BrokerDelivery>(new UnboundedChannelOptions { SingleReader = true });
    }

    /// <summary>Gets the options.</summary>
    public MqttSourceOptions Options { get; }

    /// <summary>Gets the in-flight limit in use (<see cref="MqttSourceOptions.MaxInFlight"/> or its default).</summary>
    public int MaxInFlight => Options.MaxInFlight ?? MqttSourceOptions.DefaultMaxInFlight;

    /// <summary>Gets how many messages of the current connection are not acknowledged yet.</summary>
    public long Unacknowledged => _session?.Pending.Count ?? 0;

    /// <summary>Gets the most messages ever unacknowledged at once on one connection in this source's life.</summary>
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
        throw new NotSupportedException("MqttSource reads through its SourceReader (CreateReader).");

    /// <inheritdoc />
    public override SourceReader<Record<ReadOnlyMemory<byte>>> CreateReader() => new BrokerDeliveryReader(
        _deliveries,
        () => Volatile.Read(ref _generation),
        () => _session is not { Broken: false },
        record => new RecordTooLargeException($"{Name} message {record.Position} on '{Encoding.UTF8.GetString(record.Key.Span)}'", record.Value.Length, Options.MaxMessageBytes),
        ReconnectAsync);

    /// <inheritdoc />
    protected override SourcePosition GetResumePosition(in Record<ReadOnlyMemory<byte>> record, long ordinal) =>
        new(record.Position.Partition, record.Position.Offset + 1);

    /// <inheritdoc />
    /// <remarks>
    /// Sends the PUBACKs of every message of the current connection before the position, in arrival order, then waits for one
    /// round trip (PINGREQ, PINGRESP): the broker has handled every PUBACK sent before it answers. Only then does the commit
    /// complete and the messages' credits come back, so a broker restart sends again at most the messages in flight, not also
    /// those whose PUBACKs were still on their way. Positions of a lost connection are ignored: the broker sends those messages
    /// again.
    /// </remarks>
    public override async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        if (_session is not { } session)
        {
            return;
        }

        var acknowledged = 0;
        foreach (var position in positions)
        {
            if (position.Partition != session.Generation)
            {
                continue;
            }

            while (session.Pending.TryPeek(out var pending) && pending.Number < position.Offset)
            {
                session.Pending.TryDequeue(out _);
                acknowledged++;
                if (!session.GoingAway)
                {
                    await AcknowledgeAsync(pending.Message).ConfigureAwait(false);
                }
            }
        }

        if (acknowledged == 0)
        {
            return;
        }

        await ConfirmAsync(session).ConfigureAwait(false);
        session.Credits.Release(acknowledged);
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

    /// <summary>
    /// Sends one PUBACK. Never throws: a PUBACK that fails (the connection went away while it was sent; MQTTnet then throws
    /// whatever its disposed connection gives: OperationCanceledException, ObjectDisposedException, a communication error or
    /// even a NullReferenceException) leaves the message unacknowledged in the session, and the broker sends it again after
    /// the reconnection. Not cancellable: a PUBACK abandoned half way on a live connection would be lost for good (the next
    /// commit starts after it).
    /// </summary>
    private static async Task AcknowledgeAsync(MqttApplicationMessageReceivedEventArgs message)
    {
        try
        {
            await message.AcknowledgeAsync(CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // every failure of a PUBACK means the same: the broker keeps the message and sends it again
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    /// <summary>
    /// Waits until the broker handled every packet sent before (a PINGREQ's answer), for up to the operation timeout. Never
    /// throws: when the connection is gone (or hangs, and is about to be found dead) the broker sends again what it did not handle.
    /// </summary>
    private async Task ConfirmAsync(Session session)
    {
        if (!session.Client.IsConnected)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(Options.Connection.OperationTimeout, Options.Connection.TimeProvider);
        try
        {
            await session.Client.PingAsync(timeout.Token).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // a ping on a connection going away fails in many ways (MQTTnet may even meet its own cleared fields)
        catch (Exception)
#pragma warning restore CA1031
        {
        }
    }

    private async Task<Session> ConnectAsync(CancellationToken cancellationToken)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var session = new Session(client, Interlocked.Increment(ref _generation), MaxInFlight);
        client.ApplicationMessageReceivedAsync += message => OnMessageAsync(session, message);
        client.DisconnectedAsync += _ => OnDisconnected(session);
        // MQTTnet applies its own timeout only to a token that cannot be cancelled: a broker that accepted the connection
        // and never answers (one shutting down, or starting) would keep the run waiting forever without this one.
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.Connection.OperationTimeout);
        try
        {
            await client.ConnectAsync(Options.Connection.Build(persistentSession: true, (ushort)MaxInFlight), timeout.Token).ConfigureAwait(false);
            session.Connected = true;
            var subscribe = new MqttClientSubscribeOptionsBuilder();
            foreach (var topic in Options.Topics)
            {
                subscribe = subscribe.WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce);
            }

            await client.SubscribeAsync(subscribe.Build(), timeout.Token).ConfigureAwait(false);
            return session;
        }
        catch (Exception error) when (error is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await session.Stopping.CancelAsync().ConfigureAwait(false); // a handler waiting for a credit gives up
            client.Dispose();
            throw MqttErrors.Map(error, $"Subscribe to {string.Join(", ", Options.Topics)} at {_endpoint}");
        }
    }

    private async Task OnMessageAsync(Session session, MqttApplicationMessageReceivedEventArgs message)
    {
        message.AutoAcknowledge = false;
        if (!await TakeCreditAsync(session).ConfigureAwait(false))
        {
            return; // closing or disconnected: the message stays unacknowledged, and the broker sends it again
        }

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
        _deliveries.Writer.TryWrite(new BrokerDelivery(session.Generation, record, Poison: payload.Length > Options.MaxMessageBytes));
    }

    /// <summary>
    /// Waits while MaxInFlight messages are unacknowledged (the pipeline is full): MQTTnet stops handing over messages, and the
    /// broker keeps the rest. A credit comes back with each PUBACK. Gives up (false) once the connection is going away:
    /// MQTTnet waits for this handler before it reports the disconnection, so the wait must not outlive the connection. Not
    /// while connecting: the broker sends the session's messages right after its CONNACK, before MQTTnet reports the client
    /// connected, and a message dropped then would not come again on this connection.
    /// </summary>
    private static async Task<bool> TakeCreditAsync(Session session)
    {
        try
        {
            while (!await session.Credits.WaitAsync(CreditPoll, session.Stopping.Token).ConfigureAwait(false))
            {
                if (session.GoingAway)
                {
                    return false;
                }
            }

            if (!session.GoingAway)
            {
                return true;
            }

            session.Credits.Release();
            return false;
        }
        catch (Exception error) when (error is OperationCanceledException or ObjectDisposedException)
        {
            return false;
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
        Interlocked.Increment(ref _reconnections);
    }

    private readonly record struct Pending(long Number, MqttApplicationMessageReceivedEventArgs Message);

    private sealed class Session(IMqttClient client, int generation, int maxInFlight) : IAsyncDisposable
    {
        public long Received;

        private bool _connected;

        public IMqttClient Client { get; } = client;

        public int Generation { get; } = generation;

        public ConcurrentQueue<Pending> Pending { get; } = new();

        public CancellationTokenSource Stopping { get; } = new();

        /// <summary>Gets the credits of the connection: one per message that may be received and not yet acknowledged.</summary>
        public SemaphoreSlim Credits { get; } = new(maxInFlight, maxInFlight);

        public bool Broken { get; set; }

        /// <summary>Gets or sets a value indicating whether MQTTnet's connect completed (from then on, not connected means going away).</summary>
        public bool Connected
        {
            get => Volatile.Read(ref _connected);
            set => Volatile.Write(ref _connected, value);
        }

        /// <summary>Gets a value indicating whether the connection is going away (it was connected and is no more).</summary>
        public bool GoingAway => Connected && !Client.IsConnected;

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
#pragma warning disable CA1031 // already gone, in whatever way MQTTnet reports it: the session keeps what was not acknowledged
            catch (Exception)
#pragma warning restore CA1031
            {
            }

            Client.Dispose();
            Stopping.Dispose();
        }
    }

}
