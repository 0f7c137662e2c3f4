using System.Globalization;
using System.Text;
using DataWeaver.Messaging.Internal;
using RabbitMQ.Client;

namespace DataWeaver.RabbitMq;

/// <summary>Where a RabbitMQ source or sink connects, and as whom. Every default is stated here, once.</summary>
public sealed record RabbitMqConnectionOptions
{
    /// <summary>Gets the broker's host name.</summary>
    /// <value>The default is <c>localhost</c>.</value>
    public string HostName { get; init; } = "localhost";

    /// <summary>Gets the broker's AMQP port.</summary>
    /// <value>The default is 5672; 1 to 65535.</value>
    public int Port { get; init; } = 5672;

    /// <summary>Gets the virtual host.</summary>
    /// <value>The default is <c>/</c>.</value>
    public string VirtualHost { get; init; } = "/";

    /// <summary>Gets the user name.</summary>
    /// <value>The default is <c>guest</c> (which RabbitMQ accepts from localhost only).</value>
    public string UserName { get; init; } = "guest";

    /// <summary>Gets the password. A secret: it never appears in logs, errors, dead letters or <see cref="ToString"/>.</summary>
    /// <value>The default is <c>guest</c>.</value>
    public string Password { get; init; } = "guest";

    /// <summary>Gets the connection name the broker shows (management UI, <c>rabbitmqctl list_connections</c>).</summary>
    /// <value>The default is <see langword="null"/>: the connector's name.</value>
    public string? ClientName { get; init; }

    /// <summary>Gets how long connecting, and each broker operation (declare, qos, close), may take.</summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan OperationTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Gets how long a connector keeps reconnecting after the broker went away (a broker restart, a network cut) before the
    /// run fails with a transient error. <see cref="TimeSpan.Zero"/> fails at once.
    /// </summary>
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
    public IEnumerable<string> Validate() =>
        BrokerConnections.ValidateEndpoint(nameof(RabbitMqConnectionOptions), HostName, Port, OperationTimeout, ReconnectTimeout, ReconnectDelay);

    /// <summary>Describes the endpoint without the password.</summary>
    /// <returns>For example <c>amqp://guest@localhost:5672/</c>.</returns>
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"amqp://{UserName}@{HostName}:{Port}{(VirtualHost.StartsWith('/') ? VirtualHost : "/" + VirtualHost)}");

    /// <summary>Prints the options without the password (records print every property by default).</summary>
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture, $"Endpoint = {this}, ClientName = {ClientName}");
        return true;
    }

    internal ConnectionFactory CreateFactory(string name) => new()
    {
        HostName = HostName,
        Port = Port,
        VirtualHost = VirtualHost,
        UserName = UserName,
        Password = Password,
        ClientProvidedName = ClientName ?? name,
        AutomaticRecoveryEnabled = false, // the connectors reconnect themselves: a new channel is a new partition of positions
        TopologyRecoveryEnabled = false,
        RequestedConnectionTimeout = OperationTimeout,
        ContinuationTimeout = OperationTimeout,
        HandshakeContinuationTimeout = OperationTimeout,
    };
}
