using System.Globalization;
using DataWeaver.Configuration;

namespace DataWeaver.RabbitMq.Configuration;

/// <summary>Adds RabbitMQ to pipeline definition files: the <c>rabbitmq</c> source and sink types.</summary>
public static class RabbitMqConnectorRegistryExtensions
{
    /// <summary>The connector type name in definition files.</summary>
    public const string TypeName = "rabbitmq";

    private static readonly RabbitMqConnectionOptions ConnectionDefaults = new();
    private static readonly RabbitMqSourceOptions SourceDefaults = new();
    private static readonly RabbitMqSinkOptions SinkDefaults = new();

    private static readonly SettingDescriptor[] ConnectionSettings =
    [
        new("host", SettingType.String) { Default = ConnectionDefaults.HostName, Description = "The broker's host name." },
        new("port", SettingType.Integer) { Minimum = 1, Maximum = 65535, Default = ConnectionDefaults.Port.ToString(CultureInfo.InvariantCulture), Description = "The broker's AMQP port." },
        new("virtualHost", SettingType.String) { Default = ConnectionDefaults.VirtualHost, Description = "The virtual host." },
        new("user", SettingType.String) { Default = ConnectionDefaults.UserName, Description = "The user name." },
        new("password", SettingType.String) { Secret = true, Default = "guest", Description = "The password (a secret: write it as ${secret:NAME} or ${env:NAME}); never printed." },
        new("clientName", SettingType.String) { Default = "the connector's name", Description = "The connection name the broker shows." },
        new("reconnectTimeout", SettingType.Duration) { Default = "2m", Description = "How long to keep reconnecting after the broker went away before the run fails." },
    ];

    /// <summary>
    /// Registers the <c>rabbitmq</c> source (<see cref="RabbitMqSource"/>: <c>queue</c>, <c>prefetch</c>, <c>declare</c>,
    /// <c>queueType</c>, <c>maxMessageBytes</c>) and sink (<see cref="RabbitMqSink"/>: <c>exchange</c>, <c>routingKey</c>,
    /// <c>mandatory</c>, <c>persistent</c>, <c>declareQueue</c>, <c>queueType</c>), both with <c>host</c>, <c>port</c>,
    /// <c>virtualHost</c>, <c>user</c>, <c>password</c> (secret), <c>clientName</c> and <c>reconnectTimeout</c>. The payload is
    /// decoded and encoded with the connector's <c>format</c>; the sink's <c>key:</c> becomes the routing key when
    /// <c>routingKey</c> is not set. See docs/rabbitmq.md.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    public static ConnectorRegistry AddRabbitMq(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterPayloadSource(TypeName, context => new RabbitMqSource(SourceOptions(context), context.Name), new ConnectorDescriptor
            {
                Description = "Consumes a RabbitMQ queue; acknowledges each message once the pipeline committed it (at least once).",
                Settings =
                [
                    new("queue", SettingType.String) { Required = true, Description = "The queue to consume." },
                    new("prefetch", SettingType.Integer)
                    {
                        Minimum = 1, Maximum = ushort.MaxValue, Default = RabbitMqSourceOptions.DefaultPrefetchCount.ToString(CultureInfo.InvariantCulture),
                        Description = "The most messages unacknowledged at once (basic.qos); keep it at or below the pipeline's maxInFlightRecords.",
                    },
                    new("declare", SettingType.Boolean) { Default = "false", Description = "Declare the queue (durable) instead of requiring that it exists." },
                    new("queueType", SettingType.String) { AllowedValues = ["classic", "quorum"], Default = SourceDefaults.QueueType, Description = "The type of a declared queue." },
                    new("maxMessageBytes", SettingType.Size) { Minimum = 1, Default = SourceDefaults.MaxMessageBytes.ToString(CultureInfo.InvariantCulture), Description = "A larger message is poison: sent to the error policy, then acknowledged." },
                    .. ConnectionSettings,
                ],
            })
            .RegisterPayloadSink(TypeName, context => new RabbitMqSink(SinkOptions(context), context.Name), new ConnectorDescriptor
            {
                Description = "Publishes each record to a RabbitMQ exchange with publisher confirms; unroutable messages fail (mandatory).",
                Settings =
                [
                    new("exchange", SettingType.String) { Default = "\"\" (the default exchange)", Description = "The exchange to publish to." },
                    new("routingKey", SettingType.String) { Default = "the record's key", Description = "The routing key of every message (for the default exchange: the queue's name)." },
                    new("mandatory", SettingType.Boolean) { Default = "true", Description = "Fail a batch whose message no queue is bound for, instead of dropping it." },
                    new("persistent", SettingType.Boolean) { Default = "true", Description = "Delivery mode 2 (kept on disk by durable queues)." },
                    new("declareQueue", SettingType.String) { Description = "A queue to declare (durable) when the sink opens." },
                    new("queueType", SettingType.String) { AllowedValues = ["classic", "quorum"], Default = SinkDefaults.QueueType, Description = "The type of the declared queue." },
                    .. ConnectionSettings,
                ],
            });
    }

    private static RabbitMqConnectionOptions Connection(ConnectorContext context)
    {
        var settings = context.Settings;
        return new RabbitMqConnectionOptions
        {
            HostName = settings.GetString("host", ConnectionDefaults.HostName)!,
            Port = settings.GetInt32("port", ConnectionDefaults.Port),
            VirtualHost = settings.GetString("virtualHost", ConnectionDefaults.VirtualHost)!,
            UserName = settings.GetString("user", ConnectionDefaults.UserName)!,
            Password = settings.GetString("password", ConnectionDefaults.Password)!,
            ClientName = settings.GetString("clientName"),
            ReconnectTimeout = settings.GetDuration("reconnectTimeout", ConnectionDefaults.ReconnectTimeout),
            TimeProvider = context.TimeProvider,
        };
    }

    private static RabbitMqSourceOptions SourceOptions(ConnectorContext context)
    {
        var settings = context.Settings;
        return new RabbitMqSourceOptions
        {
            Connection = Connection(context),
            Queue = settings.GetRequiredString("queue"),
            PrefetchCount = (int?)settings.GetOptionalInt64("prefetch"),
            DeclareQueue = settings.GetBoolean("declare", SourceDefaults.DeclareQueue),
            QueueType = settings.GetString("queueType", SourceDefaults.QueueType)!,
            MaxMessageBytes = (int)settings.GetSize("maxMessageBytes", SourceDefaults.MaxMessageBytes),
        };
    }

    private static RabbitMqSinkOptions SinkOptions(ConnectorContext context)
    {
        var settings = context.Settings;
        return new RabbitMqSinkOptions
        {
            Connection = Connection(context),
            Exchange = settings.GetString("exchange", SinkDefaults.Exchange)!,
            RoutingKey = settings.GetString("routingKey"),
            Mandatory = settings.GetBoolean("mandatory", SinkDefaults.Mandatory),
            Persistent = settings.GetBoolean("persistent", SinkDefaults.Persistent),
            DeclareQueue = settings.GetString("declareQueue"),
            QueueType = settings.GetString("queueType", SinkDefaults.QueueType)!,
        };
    }
}
