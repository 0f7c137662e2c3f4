using System.Globalization;
using DataWeaver.Configuration;

namespace DataWeaver.Mqtt.Configuration;

/// <summary>Adds MQTT to pipeline definition files: the <c>mqtt</c> source and sink types.</summary>
public static class MqttConnectorRegistryExtensions
{
    /// <summary>The connector type name in definition files.</summary>
    public const string TypeName = "mqtt";

    private static readonly MqttConnectionOptions ConnectionDefaults = new();
    private static readonly MqttSourceOptions SourceDefaults = new();

    private static readonly SettingDescriptor[] ConnectionSettings =
    [
        new("host", SettingType.String) { Default = ConnectionDefaults.HostName, Description = "The broker's host name." },
        new("port", SettingType.Integer) { Minimum = 1, Maximum = 65535, Default = ConnectionDefaults.Port.ToString(CultureInfo.InvariantCulture), Description = "The broker's port." },
        new("version", SettingType.String) { AllowedValues = ["3.1.1", "5"], Default = "5", Description = "The MQTT protocol version." },
        new("clientId", SettingType.String) { Default = "required for a source; random for a sink", Description = "The client id; a source's names its persistent session." },
        new("user", SettingType.String) { Description = "The user name." },
        new("password", SettingType.String) { Secret = true, Description = "The password (a secret: write it as ${secret:NAME} or ${env:NAME}); never printed." },
        new("reconnectTimeout", SettingType.Duration) { Default = "2m", Description = "How long to keep reconnecting after the broker went away before the run fails." },
    ];

    /// <summary>
    /// Registers the <c>mqtt</c> source (<see cref="MqttSource"/>: <c>topics</c> with wildcards, <c>maxInFlight</c>,
    /// <c>maxMessageBytes</c>) and sink (<see cref="MqttSink"/>: <c>topic</c>, <c>retain</c>), both with <c>host</c>, <c>port</c>,
    /// <c>version</c>, <c>clientId</c>, <c>user</c>, <c>password</c> (secret) and <c>reconnectTimeout</c>. See docs/mqtt.md.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    public static ConnectorRegistry AddMqtt(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterPayloadSource(TypeName, context => new MqttSource(SourceOptions(context), context.Name), new ConnectorDescriptor
            {
                Description = "Subscribes to MQTT topics at QoS 1 in a persistent session; acknowledges each message once the pipeline committed it.",
                Settings =
                [
                    new("topics", SettingType.StringList) { Required = true, Description = "Topic filters; + and # wildcards allowed." },
                    new("maxInFlight", SettingType.Integer)
                    {
                        Minimum = 1, Maximum = ushort.MaxValue, Default = MqttSourceOptions.DefaultMaxInFlight.ToString(CultureInfo.InvariantCulture),
                        Description = "The most messages unacknowledged at once; keep it at or below the pipeline's maxInFlightRecords.",
                    },
                    new("maxMessageBytes", SettingType.Size) { Minimum = 1, Default = SourceDefaults.MaxMessageBytes.ToString(CultureInfo.InvariantCulture), Description = "A larger message is poison: sent to the error policy, then acknowledged." },
                    .. ConnectionSettings,
                ],
            })
            .RegisterPayloadSink(TypeName, context => new MqttSink(SinkOptions(context), context.Name), new ConnectorDescriptor
            {
                Description = "Publishes each record at QoS 1; a batch is acknowledged once the broker acknowledged every message (PUBACK).",
                Settings =
                [
                    new("topic", SettingType.String) { Default = "the record's key", Description = "The topic of every message." },
                    new("retain", SettingType.Boolean) { Default = "false", Description = "Publish with the retain flag." },
                    .. ConnectionSettings,
                ],
            });
    }

    private static MqttConnectionOptions Connection(ConnectorContext context)
    {
        var settings = context.Settings;
        return new MqttConnectionOptions
        {
            HostName = settings.GetString("host", ConnectionDefaults.HostName)!,
            Port = settings.GetInt32("port", ConnectionDefaults.Port),
            Version = settings.GetString("version", "5") == "3.1.1" ? MqttVersion.V311 : MqttVersion.V5,
            ClientId = settings.GetString("clientId"),
            UserName = settings.GetString("user"),
            Password = settings.GetString("password"),
            ReconnectTimeout = settings.GetDuration("reconnectTimeout", ConnectionDefaults.ReconnectTimeout),
            TimeProvider = context.TimeProvider,
        };
    }

    private static MqttSourceOptions SourceOptions(ConnectorContext context)
    {
        var settings = context.Settings;
        return new MqttSourceOptions
        {
            Connection = Connection(context),
            Topics = settings.GetStringList("topics"),
            MaxInFlight = (int?)settings.GetOptionalInt64("maxInFlight"),
            MaxMessageBytes = (int)settings.GetSize("maxMessageBytes", SourceDefaults.MaxMessageBytes),
        };
    }

    private static MqttSinkOptions SinkOptions(ConnectorContext context)
    {
        var settings = context.Settings;
        return new MqttSinkOptions { Connection = Connection(context), Topic = settings.GetString("topic"), Retain = settings.GetBoolean("retain", false) };
    }
}
