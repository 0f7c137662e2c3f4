using System.Globalization;
using System.Text;
using DataWeaver.Messaging.Internal;
using MQTTnet;
using MQTTnet.Formatter;

namespace DataWeaver.Mqtt;

/// <summary>Where an MQTT source or sink connects, as whom, and with which protocol version. Every default is stated here, once.</summary>
public sealed record MqttConnectionOptions
{
    /// <summary>Gets the broker's host name.</summary>
    /// <value>The default is <c>localhost</c>.</value>
    public string HostName { get; init; } = "localhost";

    /// <summary>Gets the broker's port.</summary>
    /// <value>The default is 1883; 1 to 65535.</value>
    public int Port { get; init; } = 1883;

    /// <summary>Gets the MQTT protocol version: <see cref="MqttVersion.V311"/> or <see cref="MqttVersion.V5"/>.</summary>
    /// <value>The default is <see cref="MqttVersion.V5"/>.</value>
    public MqttVersion Version { get; init; } = MqttVersion.V5;

    /// <summary>
    /// Gets the client id. A source's id names its persistent session on the broker: a restarted source with the same id
    /// resumes it (the broker kept its subscriptions and the messages not acknowledged), so keep it stable and unique per
    /// running source.
    /// </summary>
    /// <value>Required for a source; a sink without one gets a random id.</value>
    public string? ClientId { get; init; }

    /// <summary>Gets the user name, or <see langword="null"/> for none.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? UserName { get; init; }

    /// <summary>Gets the password. A secret: it never appears in logs, errors, dead letters or <see cref="ToString"/>.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? Password { get; init; }

    /// <summary>Gets how long the broker keeps a source's session (its subscriptions and unacknowledged messages) while the source is away (MQTT 5; MQTT 3.1.1 brokers keep it until the client cleans it).</summary>
    /// <value>The default is 1 day.</value>
    public TimeSpan SessionExpiry { get; init; } = TimeSpan.FromDays(1);

    /// <summary>Gets how long connecting, subscribing and each publish acknowledgement may take.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Gets how long a connector keeps reconnecting after the broker went away before the run fails with a transient error.</summary>
    /// <value>The default is 2 minutes.</value>
    public TimeSpan ReconnectTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Gets the pause between two connection attempts.</summary>
    /// <value>The default is 1 second.</value>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Gets the clock reconnection waits on.</summary>
    /// <value>The default is <see cref="TimeProvider.System"/>.</value>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        foreach (var problem in BrokerConnections.ValidateEndpoint(nameof(MqttConnectionOptions), HostName, Port, OperationTimeout, ReconnectTimeout, ReconnectDelay))
        {
            yield return problem;
        }

        if (SessionExpiry < TimeSpan.Zero)
        {
            yield return $"MqttConnectionOptions.SessionExpiry must not be negative (was {SessionExpiry}).";
        }
    }

    /// <summary>Describes the endpoint without the password.</summary>
    /// <returns>For example <c>mqtt://localhost:1883 (v5, client orders-1)</c>.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"mqtt://{(UserName is null ? "" : UserName + "@")}{HostName}:{Port} ({(Version == MqttVersion.V5 ? "v5" : "v3.1.1")}, client {ClientId})");

    /// <summary>Prints the options without the password (records print every property by default).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Endpoint = {this}");
        return true;
    }

    internal MqttClientOptions Build(bool persistentSession, ushort receiveMaximum)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(HostName, Port)
            .WithClientId(ClientId ?? "dataweaver-" + Guid.NewGuid().ToString("N"))
            .WithProtocolVersion(Version == MqttVersion.V5 ? MqttProtocolVersion.V500 : MqttProtocolVersion.V311)
            .WithTimeout(OperationTimeout);
        if (UserName is not null)
        {
            builder = builder.WithCredentials(UserName, Password);
        }

        if (Version == MqttVersion.V5)
        {
            builder = builder.WithCleanStart(!persistentSession);
            if (persistentSession)
            {
                builder = builder.WithSessionExpiryInterval((uint)Math.Min(SessionExpiry.TotalSeconds, uint.MaxValue - 1));
            }

            if (receiveMaximum > 0)
            {
                builder = builder.WithReceiveMaximum(receiveMaximum);
            }
        }
        else
        {
            builder = builder.WithCleanSession(!persistentSession);
        }

        return builder.Build();
    }
}

/// <summary>The MQTT protocol version a connector speaks.</summary>
public enum MqttVersion
{
    /// <summary>MQTT 3.1.1.</summary>
    V311 = 0,

    /// <summary>MQTT 5.0 (session expiry, receive maximum, user properties as headers, reason codes).</summary>
    V5 = 1,
}
