namespace DataWeaver.Mqtt;

/// <summary>The options of an <see cref="MqttSink"/>. Every default is stated here, once.</summary>
public sealed record MqttSinkOptions
{
    /// <summary>Gets where to connect (a sink without a client id gets a random one; its session is not kept).</summary>
    /// <value>The default is a broker on localhost:1883, MQTT 5.</value>
    public MqttConnectionOptions Connection { get; init; } = new();

    /// <summary>Gets the topic of every message; <see langword="null"/> takes each record's key (UTF-8) as its topic.</summary>
    /// <value>The default is <see langword="null"/>: the record's key.</value>
    public string? Topic { get; init; }

    /// <summary>Gets a value indicating whether messages are published with the retain flag.</summary>
    /// <value>The default is <see langword="false"/>.</value>
    public bool Retain { get; init; }

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        foreach (var problem in Connection.Validate())
        {
            yield return problem;
        }

        if (Topic is { } topic && (topic.Length == 0 || topic.Contains('+', StringComparison.Ordinal) || topic.Contains('#', StringComparison.Ordinal)))
        {
            yield return $"MqttSinkOptions.Topic must be a topic name without wildcards (was '{topic}').";
        }
    }
}
