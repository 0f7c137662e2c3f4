namespace DataWeaver.RabbitMq;

/// <summary>The options of a <see cref="RabbitMqSink"/>. Every default is stated here, once.</summary>
public sealed record RabbitMqSinkOptions
{
    /// <summary>Gets where to connect.</summary>
    /// <value>The default is a broker on localhost:5672 as guest.</value>
    public RabbitMqConnectionOptions Connection { get; init; } = new();

    /// <summary>Gets the exchange to publish to; the empty string is the default exchange, which routes by queue name.</summary>
    /// <value>The default is the empty string (the default exchange).</value>
    public string Exchange { get; init; } = "";

    /// <summary>Gets the routing key of every message; <see langword="null"/> takes each record's key (UTF-8) as its routing key.</summary>
    /// <value>The default is <see langword="null"/>: the record's key.</value>
    public string? RoutingKey { get; init; }

    /// <summary>
    /// Gets a value indicating whether messages are published as mandatory: a message no queue is bound for is returned by the
    /// broker and its batch fails with a data error, instead of being dropped silently.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Mandatory { get; init; } = true;

    /// <summary>Gets a value indicating whether messages are persistent (delivery mode 2: written to disk by durable queues).</summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool Persistent { get; init; } = true;

    /// <summary>Gets a queue the sink declares (durable) when it opens, or <see langword="null"/> to declare nothing.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? DeclareQueue { get; init; }

    /// <summary>Gets the type of the declared queue (<see cref="DeclareQueue"/>): <c>classic</c> or <c>quorum</c>.</summary>
    /// <value>The default is <c>classic</c>.</value>
    public string QueueType { get; init; } = "classic";

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per problem, naming the option; empty when valid.</returns>
    public IEnumerable<string> Validate()
    {
        foreach (var problem in Connection.Validate())
        {
            yield return problem;
        }

        if (Exchange.Length == 0 && RoutingKey is { Length: 0 })
        {
            yield return "RabbitMqSinkOptions.RoutingKey must name a queue when publishing to the default exchange.";
        }

        if (QueueType is not ("classic" or "quorum"))
        {
            yield return $"RabbitMqSinkOptions.QueueType must be 'classic' or 'quorum' (was '{QueueType}').";
        }
    }
}
