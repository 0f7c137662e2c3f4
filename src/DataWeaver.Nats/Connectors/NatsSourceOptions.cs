using DataWeaver.Streams;

namespace DataWeaver.Nats;

/// <summary>Options of a <see cref="NatsSource"/>: which JetStream stream to read and as which durable consumer.</summary>
public sealed record NatsSourceOptions
{
    /// <summary>Gets the JetStream stream to read; it must exist.</summary>
    /// <value>Required; not empty.</value>
    public required string Stream { get; init; }

    /// <summary>Gets the subject filter of the consumer (wildcards allowed), or <see langword="null"/> for every subject of the stream.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? FilterSubject { get; init; }

    /// <summary>Gets the durable consumer's name: the group whose acknowledgement floor is the committed position. Made a valid JetStream name.</summary>
    /// <value>The default is <c>dataweaver</c>.</value>
    public string Durable { get; init; } = StreamConsumerOptions.DefaultGroupId;

    /// <summary>Gets where a new durable consumer starts.</summary>
    /// <value>The default is <see cref="StreamStartPosition.Earliest"/> (the first message the stream holds).</value>
    public StreamStartPosition StartFrom { get; init; } = StreamStartPosition.Earliest;

    /// <summary>
    /// Gets the consumer's <c>max_ack_pending</c>, or <see langword="null"/> for the framework's
    /// (<see cref="NatsStreamOptions.MaxAckPending"/>). Set it to the pipeline's
    /// <see cref="Pipelines.PipelineOptions.MaxInFlightRecords"/>: the server then holds back everything beyond the records in flight.
    /// </summary>
    /// <value>The default is <see langword="null"/>; from 1.</value>
    public int? MaxAckPending { get; init; }

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per invalid option, naming it.</returns>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Stream))
        {
            yield return "NatsSourceOptions.Stream must not be empty.";
        }

        if (string.IsNullOrWhiteSpace(Durable))
        {
            yield return "NatsSourceOptions.Durable must not be empty.";
        }

        if (MaxAckPending < 1)
        {
            yield return $"NatsSourceOptions.MaxAckPending must be at least 1 (was {MaxAckPending}).";
        }
    }
}
