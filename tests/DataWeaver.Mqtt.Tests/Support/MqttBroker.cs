using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Protocol;

namespace DataWeaver.Mqtt.Tests.Support;

/// <summary>The test broker (eng/services/mosquitto.sh: 127.0.0.1:1883, anonymous): sessions, publishing and reading back with a plain MQTTnet client.</summary>
internal static class MqttBroker
{
    public static MqttConnectionOptions Connection(string? clientId, MqttVersion version = MqttVersion.V5, int port = 1883) => new()
    {
        HostName = "127.0.0.1",
        Port = port,
        ClientId = clientId,
        Version = version,
        OperationTimeout = TimeSpan.FromSeconds(10),
        ReconnectDelay = TimeSpan.FromMilliseconds(200),
    };

    public static byte[] Json(long id) => Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{{\"id\":{id}}}"));

    public static long Id(ReadOnlySpan<byte> json)
    {
        var digits = json["{\"id\":".Length..];
        return long.Parse(digits[..digits.IndexOf((byte)'}')], CultureInfo.InvariantCulture);
    }

    public static string UniqueName(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    private static async Task<IMqttClient> ConnectAsync(string clientId, bool persistent, MqttVersion version = MqttVersion.V5, int port = 1883)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        await client.ConnectAsync(Connection(clientId, version, port).Build(persistent, 0));
        return client;
    }

    /// <summary>Creates a new persistent session subscribed to the filters (QoS 1), so the broker keeps what is published from now on; an earlier session of the id is discarded.</summary>
    public static async Task CreateSessionAsync(string clientId, IEnumerable<string> filters, MqttVersion version = MqttVersion.V5, int port = 1883)
    {
        using (var clean = await ConnectAsync(clientId, persistent: false, version, port))
        {
            await clean.DisconnectAsync();
        }

        using var client = await ConnectAsync(clientId, persistent: true, version, port);
        var subscribe = new MqttClientSubscribeOptionsBuilder();
        foreach (var filter in filters)
        {
            subscribe = subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
        }

        await client.SubscribeAsync(subscribe.Build());
        await client.DisconnectAsync();
    }

    public static async Task PublishAsync(string topic, IEnumerable<byte[]> payloads, int port = 1883) => await PublishAsync(payloads.Select(p => (topic, p)), port);

    public static async Task PublishAsync(IEnumerable<(string Topic, byte[] Payload)> messages, int port = 1883)
    {
        using var client = await ConnectAsync("pub-" + Guid.NewGuid().ToString("N"), persistent: false, port: port);
        foreach (var (topic, payload) in messages)
        {
            var result = await client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build());
            Assert.True(result.IsSuccess, result.ReasonCode.ToString());
        }

        await client.DisconnectAsync();
    }

    /// <summary>
    /// Every message the session holds, in order, left in it (received without acknowledging; the broker sends them again next
    /// time). Reads until nothing came for a moment: a read-back aid, not a measurement.
    /// </summary>
    public static async Task<List<(string Topic, byte[] Payload)>> ReadAllAsync(string clientId, CancellationToken cancellationToken = default)
    {
        var received = new ConcurrentQueue<(string, byte[])>();
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e =>
        {
            e.AutoAcknowledge = false;
            received.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.Payload.ToArray()));
            return Task.CompletedTask;
        };
        await client.ConnectAsync(Connection(clientId).Build(true, 0), cancellationToken);
        var count = -1;
        while (count != received.Count)
        {
            count = received.Count;
            await Task.Delay(400, cancellationToken);
        }

        client.Dispose(); // without DISCONNECT and without PUBACKs: everything stays in the session
        return [.. received];
    }
}
