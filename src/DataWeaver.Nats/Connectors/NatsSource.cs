using DataWeaver.Streams;

namespace DataWeaver.Nats;

/// <summary>
/// Reads a JetStream stream through a durable pull consumer and acknowledges what the pipeline committed: a
/// <see cref="StreamSource"/> whose one partition (0) is the stream, a record's offset its stream sequence - 1.
/// </summary>
/// <remarks>
/// <para>
/// Acknowledgements follow commits: once every sink wrote a record and everything before it, the engine commits and the
/// source acknowledges the last such message (<c>ack_policy: all</c>, acknowledging everything before it), waiting for
/// the server's confirmation. The consumer's <c>max_ack_pending</c> is the in-flight bound: the server holds back
/// the rest, however slow the sinks. Undecodable messages dead-lettered by the pipeline are committed (acknowledged) like
/// every handled record, so they are never delivered again; a dead letter's position is (0, sequence - 1).
/// </para>
/// <para>
/// After a crash the next run resumes at the acknowledgement floor: what was read and not committed is read again (at
/// least once, duplicates bounded by the in-flight bound), in stream order.
/// </para>
/// </remarks>
public sealed class NatsSource : StreamSource
{
    /// <summary>Creates the source.</summary>
    /// <param name="nats">The NATS framework (connection); it must be started before the pipeline runs.</param>
    /// <param name="options">The stream, consumer and bound.</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>nats:{stream}</c>.</param>
    /// <exception cref="ArgumentException">An option is invalid; the message lists every invalid one.</exception>
    public NatsSource(NatsStreamFramework nats, NatsSourceOptions options, string? name = null)
        : base(nats, Checked(options).Stream, new StreamConsumerOptions { GroupId = options.Durable, StartFrom = options.StartFrom }, name ?? "nats:" + options.Stream)
    {
        Nats = nats;
        SourceOptions = options;
    }

    /// <summary>Gets the source options.</summary>
    public NatsSourceOptions SourceOptions { get; }

    /// <summary>Gets how many delivered messages are not acknowledged yet (0 when not open).</summary>
    public int Unacknowledged => Consumer is NatsStreamConsumer consumer ? consumer.Unacknowledged : 0;

    /// <summary>Gets what the consumer's delivery loop did (tests print it when a run stalls).</summary>
    internal string Diagnostics => Consumer is NatsStreamConsumer consumer ? consumer.Diagnostics : "not open";

    /// <summary>Runs before the consumer joins (definition files: start the framework).</summary>
    internal Func<CancellationToken, ValueTask>? BeforeOpen { get; init; }

    private NatsStreamFramework Nats { get; }

    /// <inheritdoc />
    protected override async ValueTask<IStreamConsumer> CreateConsumerAsync(CancellationToken cancellationToken)
    {
        if (BeforeOpen is { } prepare)
        {
            await prepare(cancellationToken).ConfigureAwait(false);
        }

        NatsFeed[] feeds = [new(0, SourceOptions.Stream, SourceOptions.FilterSubject)];
        return await Nats.JoinAsync(
            SourceOptions.Stream, SourceOptions.Durable, SourceOptions.StartFrom, feeds, SourceOptions.MaxAckPending ?? Nats.Options.MaxAckPending, cancellationToken).ConfigureAwait(false);
    }

    private static NatsSourceOptions Checked(NatsSourceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate().ToList();
        return errors.Count == 0 ? options : throw new ArgumentException(string.Join(" ", errors), nameof(options));
    }
}
