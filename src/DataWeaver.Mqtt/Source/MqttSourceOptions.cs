namespace DataWeaver.Mqtt;

/// <summary>The options of an <see cref="MqttSource"/>. Every default is stated here, once.</summary>
public sealed record MqttSourceOptions
{
    /// <summary>The in-flight limit used when <see cref="MaxInFlight"/> is not set and the source was not built with <see cref="MqttPipelineExtensions.FromMqtt"/>.</summary>
    public const int DefaultMaxInFlight = 1_000;

    /// <summary>Gets where to connect; <see cref="MqttConnectionOptions.ClientId"/> is required (it names the persistent session).</summary>
    /// <value>The default is a broker on localhost:1883, MQTT 5, no client id.</value>
    public MqttConnectionOptions Connection { get; init; } = new();

    /// <summary>Gets the topic filters subscribed to (QoS 1); MQTT wildcards allowed: <c>+</c> one level, <c>#</c> the rest (<c>sensors/+/temperature</c>, <c>orders/#</c>).</summary>
    /// <value>Required: at least one.</value>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>
    /// Gets the most messages received and not yet acknowledged at once: the source stops reading from the connection (and, with
    /// MQTT 5, tells the broker its receive maximum) beyond it, and the broker keeps the rest in the session. Keep it at or below
    /// the pipeline's <see cref="Pipelines.PipelineOptions.MaxInFlightRecords"/>.
    /// </summary>
    /// <value>
    /// The default is <see langword="null"/>: the pipeline's <see cref="Pipelines.PipelineOptions.MaxInFlightRecords"/> (at most 65,535) when
    /// built with <see cref="MqttPipelineExtensions.FromMqtt"/>, else <see cref="DefaultMaxInFlight"/>; 1 to 65,535.
    /// </value>
    public int? MaxInFlight { get; init; }

    /// <summary>Gets the largest payload read; a larger one is poison (a data error with its bytes and position, acknowledged once the error policy handled it).</summary>
    /// <value>The default is 16 MiB; at least 1.</value>
    public int MaxMessageBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        foreach (var problem in Connection.Validate())
        {
            yield return problem;
        }

        if (string.IsNullOrWhiteSpace(Connection.ClientId))
        {
            yield return "MqttSourceOptions.Connection.ClientId is required: it names the persistent session the source resumes after a restart.";
        }

        if (Topics.Count == 0 || Topics.Any(string.IsNullOrWhiteSpace))
        {
            yield return "MqttSourceOptions.Topics needs at least one topic filter, none empty.";
        }

        if (MaxInFlight is < 1 or > ushort.MaxValue)
        {
            yield return $"MqttSourceOptions.MaxInFlight must be 1 to 65535 (was {MaxInFlight}).";
        }

        if (MaxMessageBytes < 1)
        {
            yield return $"MqttSourceOptions.MaxMessageBytes must be at least 1 (was {MaxMessageBytes}).";
        }
    }
}
