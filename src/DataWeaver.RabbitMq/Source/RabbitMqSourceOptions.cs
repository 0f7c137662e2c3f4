namespace DataWeaver.RabbitMq;

/// <summary>The options of a <see cref="RabbitMqSource"/>. Every default is stated here, once.</summary>
public sealed record RabbitMqSourceOptions
{
    /// <summary>The prefetch used when <see cref="PrefetchCount"/> is not set and the source was not built with <see cref="RabbitMqPipelineExtensions.FromRabbitMq"/>.</summary>
    public const int DefaultPrefetchCount = 1_000;

    /// <summary>Gets where to connect.</summary>
    /// <value>The default is a broker on localhost:5672 as guest.</value>
    public RabbitMqConnectionOptions Connection { get; init; } = new();

    /// <summary>Gets the queue to consume.</summary>
    /// <value>Required.</value>
    public string Queue { get; init; } = "";

    /// <summary>
    /// Gets how many deliveries the broker may hand the source before it acknowledges any (the channel's prefetch, <c>basic.qos</c>):
    /// the most messages unacknowledged at once. The broker holds the rest of the queue. Keep it at or below the pipeline's
    /// <see cref="Pipelines.PipelineOptions.MaxInFlightRecords"/> (with <see cref="Pipelines.PipelineOptions.CommitInterval"/> zero the
    /// two then bound the same records).
    /// </summary>
    /// <value>
    /// The default is <see langword="null"/>: the pipeline's <see cref="Pipelines.PipelineOptions.MaxInFlightRecords"/> (at most 65,535)
    /// when the pipeline is built with <see cref="RabbitMqPipelineExtensions.FromRabbitMq"/>, else <see cref="DefaultPrefetchCount"/>; 1 to 65,535.
    /// </value>
    public int? PrefetchCount { get; init; }

    /// <summary>Gets a value indicating whether the source declares the queue (durable) when it opens, instead of requiring that it exists.</summary>
    /// <value>The default is <see langword="false"/>: the queue must exist.</value>
    public bool DeclareQueue { get; init; }

    /// <summary>Gets the type of a declared queue (<see cref="DeclareQueue"/>): <c>classic</c> or <c>quorum</c> (replicated; <c>x-queue-type</c>).</summary>
    /// <value>The default is <c>classic</c>.</value>
    public string QueueType { get; init; } = "classic";

    /// <summary>
    /// Gets the largest message body read. A larger one is poison: it is rejected to the pipeline's error policy as a data error
    /// (<see cref="Errors.RecordTooLargeException"/>) with its bytes and position, and acknowledged once the policy handled it
    /// (dead-lettered or skipped), never redelivered forever.
    /// </summary>
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

        if (string.IsNullOrWhiteSpace(Queue))
        {
            yield return "RabbitMqSourceOptions.Queue is required.";
        }

        if (PrefetchCount is < 1 or > ushort.MaxValue)
        {
            yield return $"RabbitMqSourceOptions.PrefetchCount must be 1 to 65535 (was {PrefetchCount}).";
        }

        if (QueueType is not ("classic" or "quorum"))
        {
            yield return $"RabbitMqSourceOptions.QueueType must be 'classic' or 'quorum' (was '{QueueType}').";
        }

        if (MaxMessageBytes < 1)
        {
            yield return $"RabbitMqSourceOptions.MaxMessageBytes must be at least 1 (was {MaxMessageBytes}).";
        }
    }
}
