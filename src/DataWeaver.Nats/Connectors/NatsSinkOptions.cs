namespace DataWeaver.Nats;

/// <summary>How a <see cref="NatsSink"/> sets each message's JetStream de-duplication id (<c>Nats-Msg-Id</c>).</summary>
public enum NatsMessageIds
{
    /// <summary>
    /// A new id per message (<c>{prefix}:{run}:{n}</c>): the server drops a message whose publish the client repeated,
    /// but a record written again after a crash is a new message.
    /// </summary>
    Unique,

    /// <summary>
    /// The record's source position (<c>{prefix}:{partition}:{offset}</c>): a record written again after a crash, within
    /// the stream's duplicate window (2 minutes by default), is dropped by the server. Only for pipelines where each
    /// record has its own position (a stream source without a transform that emits several records per input).
    /// </summary>
    SourcePosition,

    /// <summary>No id (except a <c>Nats-Msg-Id</c> header the record already carries).</summary>
    None,
}

/// <summary>Options of a <see cref="NatsSink"/>.</summary>
public sealed record NatsSinkOptions
{
    /// <summary>Gets the subject to publish to; a JetStream stream must capture it.</summary>
    /// <value>Required; not empty, no wildcards.</value>
    public required string Subject { get; init; }

    /// <summary>Gets how message ids are set.</summary>
    /// <value>The default is <see cref="NatsMessageIds.Unique"/>. A record's own <c>Nats-Msg-Id</c> header always wins.</value>
    public NatsMessageIds MessageIds { get; init; } = NatsMessageIds.Unique;

    /// <summary>Gets the prefix of the message ids, or <see langword="null"/> for the sink's connector name.</summary>
    /// <value>The default is <see langword="null"/>.</value>
    public string? MessageIdPrefix { get; init; }

    /// <summary>Lists every invalid option.</summary>
    /// <returns>One message per invalid option, naming it.</returns>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(Subject) || Subject.AsSpan().IndexOfAny('*', '>', ' ') >= 0)
        {
            yield return $"NatsSinkOptions.Subject must be a subject without wildcards or spaces (was '{Subject}').";
        }

        if (MessageIds is not (NatsMessageIds.Unique or NatsMessageIds.SourcePosition or NatsMessageIds.None))
        {
            yield return $"NatsSinkOptions.MessageIds must be Unique, SourcePosition or None (was {MessageIds}).";
        }
    }
}
