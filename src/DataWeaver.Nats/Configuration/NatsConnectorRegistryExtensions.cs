using DataWeaver.Configuration;
using DataWeaver.Streams;
using NATS.Client.JetStream.Models;

namespace DataWeaver.Nats.Configuration;

/// <summary>Adds NATS JetStream to pipeline definition files: the <c>nats</c> framework type and the <c>nats</c> source and sink types.</summary>
public static class NatsConnectorRegistryExtensions
{
    /// <summary>The framework, source and sink type name in definition files.</summary>
    public const string TypeName = "nats";

    private static readonly NatsStreamOptions Defaults = new();

    /// <summary>
    /// Registers the <c>nats</c> framework (docs/nats.md): <c>framework: { type: nats, settings: { url: ..., ... } }</c>, whose
    /// <c>stream</c> sources and sinks read and write topics as JetStream streams, and the <c>nats</c> source (a durable
    /// consumer over any JetStream stream, acknowledging what the sinks wrote) and sink (publish, waiting for each PubAck,
    /// with message ids). Settings <c>password</c> and <c>token</c> are secrets: give them as <c>${secret:NAME}</c>; their
    /// values are scrubbed from errors and logs.
    /// </summary>
    /// <param name="registry">The registry.</param>
    /// <returns>The registry, for chaining.</returns>
    public static ConnectorRegistry AddNats(this ConnectorRegistry registry)
    {
        ArgumentNullException.ThrowIfNull(registry);
        return registry
            .RegisterFramework(TypeName, context => new NatsStreamFramework(ToOptions(context.Settings, context.SecretValues)), Framework)
            .RegisterPayloadSource(TypeName, CreateSource, Source)
            .RegisterPayloadSink(TypeName, CreateSink, Sink);
    }

    private static readonly ConnectorDescriptor Framework = new()
    {
        Description = "NATS JetStream through NATS.Net 3.3: a topic partition is a JetStream stream, a consumer group a durable pull consumer per stream.",
        Settings =
        [
            new("url", SettingType.String) { Default = Defaults.Url, Description = "The server URL(s), comma-separated." },
            new("username", SettingType.String) { Description = "The user name." },
            new("password", SettingType.String) { Secret = true, Description = "The password (give it as ${secret:NAME})." },
            new("token", SettingType.String) { Secret = true, Description = "The authentication token (give it as ${secret:NAME})." },
            new("clientName", SettingType.String) { Default = Defaults.ClientName, Description = "The connection name the server shows." },
            new("maxAckPending", SettingType.Integer) { Minimum = 1, Default = "65536", Description = "max_ack_pending of every consumer: set it to the pipeline's maxInFlightRecords." },
            new("ackWait", SettingType.Duration) { Default = "60s", Description = "ack_wait: keep it well above the commit interval." },
            new("operationTimeout", SettingType.Duration) { Default = "10s", Description = "JetStream API calls and publish acknowledgements." },
        ],
    };

    private static readonly ConnectorDescriptor Source = new()
    {
        Description = "Reads a JetStream stream of the pipeline's nats framework through a durable pull consumer; acknowledges what the sinks wrote.",
        Settings =
        [
            new("stream", SettingType.String) { Required = true, Description = "The JetStream stream to read." },
            new("subjects", SettingType.String) { Default = "the stream must exist", Description = "Create the stream capturing these subjects (comma-separated) when it is missing." },
            new("filterSubject", SettingType.String) { Description = "Only messages whose subject matches (wildcards allowed)." },
            new("durable", SettingType.String) { Default = StreamConsumerOptions.DefaultGroupId, Description = "The durable consumer's name." },
            new("startFrom", SettingType.String) { AllowedValues = ["earliest", "latest"], Default = "earliest", Description = "Where a new durable consumer starts." },
            new("maxAckPending", SettingType.Integer) { Minimum = 1, Default = "the framework's", Description = "max_ack_pending of this consumer: the pipeline's in-flight bound." },
        ],
    };

    private static readonly ConnectorDescriptor Sink = new()
    {
        Description = "Publishes each record to a JetStream subject of the pipeline's nats framework, waiting for every PubAck; sets Nats-Msg-Id.",
        Settings =
        [
            new("subject", SettingType.String) { Required = true, Description = "The subject to publish to." },
            new("stream", SettingType.String) { Default = "a stream must capture the subject", Description = "Create this stream capturing the subject when it is missing." },
            new("messageIds", SettingType.String) { AllowedValues = ["unique", "source-position", "none"], Default = "unique", Description = "How Nats-Msg-Id is set (docs/nats.md)." },
        ],
    };

    private static NatsStreamOptions ToOptions(ConnectorSettings settings, IReadOnlyCollection<string> secrets) => new()
    {
        Url = settings.GetString("url", Defaults.Url)!,
        Username = settings.GetString("username"),
        Password = settings.GetString("password"),
        Token = settings.GetString("token"),
        ClientName = settings.GetString("clientName", Defaults.ClientName)!,
        MaxAckPending = settings.GetInt32("maxAckPending", Defaults.MaxAckPending),
        AckWait = settings.GetDuration("ackWait", Defaults.AckWait),
        OperationTimeout = settings.GetDuration("operationTimeout", Defaults.OperationTimeout),
        SecretValues = secrets,
    };

    private static NatsSource CreateSource(ConnectorContext context)
    {
        var nats = FrameworkOf(context);
        var settings = context.Settings;
        var stream = settings.GetRequiredString("stream");
        var options = new NatsSourceOptions
        {
            Stream = stream,
            FilterSubject = settings.GetString("filterSubject"),
            Durable = settings.GetString("durable", StreamConsumerOptions.DefaultGroupId)!,
            StartFrom = settings.GetString("startFrom", "earliest") == "latest" ? StreamStartPosition.Latest : StreamStartPosition.Earliest,
            MaxAckPending = (int?)settings.GetOptionalInt64("maxAckPending"),
        };
        return new NatsSource(nats, options, context.Name) { BeforeOpen = Prepare(nats, stream, settings.GetString("subjects")) };
    }

    private static NatsSink CreateSink(ConnectorContext context)
    {
        var nats = FrameworkOf(context);
        var settings = context.Settings;
        var subject = settings.GetRequiredString("subject");
        var options = new NatsSinkOptions
        {
            Subject = subject,
            MessageIds = settings.GetString("messageIds", "unique") switch
            {
                "source-position" => NatsMessageIds.SourcePosition,
                "none" => NatsMessageIds.None,
                _ => NatsMessageIds.Unique,
            },
        };
        var stream = settings.GetString("stream");
        return new NatsSink(nats, options, context.Name) { BeforeWrite = Prepare(nats, stream, subject) };
    }

    private static NatsStreamFramework FrameworkOf(ConnectorContext context) =>
        context.Framework as NatsStreamFramework
        ?? throw new InvalidOperationException($"The {context.Role.ToString().ToLowerInvariant()} type 'nats' needs the pipeline's framework to be 'type: nats' (it is '{context.Framework.Name}').");

    /// <summary>Starts the framework and, when a stream and its subjects are given, creates the stream if it is missing.</summary>
    private static Func<CancellationToken, ValueTask> Prepare(NatsStreamFramework nats, string? stream, string? subjects)
    {
        var done = 0;
        return async cancellationToken =>
        {
            if (Volatile.Read(ref done) == 1)
            {
                return;
            }

            await nats.StartAsync(cancellationToken).ConfigureAwait(false);
            if (stream is not null && subjects is not null && await nats.TryGetStreamAsync(stream, cancellationToken).ConfigureAwait(false) is null)
            {
                var config = new StreamConfig(stream, [.. subjects.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]);
                await nats.CallAsync($"create stream '{stream}'", () => nats.JetStream.CreateStreamAsync(config, cancellationToken), cancellationToken).ConfigureAwait(false);
            }

            Volatile.Write(ref done, 1);
        };
    }
}
