using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Records;

namespace DataWeaver.Streams;

/// <summary>
/// Reads a stream of any <see cref="IStreamFramework"/> as a member of a consumer group, and commits the
/// group's offsets as the pipeline acknowledges records: at-least-once, end to end.
/// </summary>
/// <remarks>
/// <para>
/// Each pipeline run joins the group when it opens the source and leaves it when it closes. A record's
/// <see cref="Record{TValue}.Position"/> is the message's (partition, offset); its resume position is
/// (partition, offset + 1), the offset the group commits once the record and everything before it in its
/// partition were written by every sink. A new run (or another member taking over a partition) resumes at
/// the committed offset, so what was read but not acknowledged is read again.
/// </para>
/// <para>
/// The stream never ends by itself: a pipeline reading it runs until it is stopped (a drain commits the final
/// offsets) or the framework stops.
/// </para>
/// </remarks>
public class StreamSource : SourceConnector<Record<ReadOnlyMemory<byte>>>
{
    private IStreamConsumer? _consumer;

    /// <summary>Creates the source.</summary>
    /// <param name="framework">The stream framework.</param>
    /// <param name="topic">The stream to read.</param>
    /// <param name="options">The consumer group and where a new group starts; <see langword="null"/> uses the defaults (group <c>dataweaver</c>, earliest).</param>
    /// <param name="name">The connector name; <see langword="null"/> uses <c>stream:{topic}</c>.</param>
    public StreamSource(IStreamFramework framework, string topic, StreamConsumerOptions? options = null, string? name = null)
        : base(name ?? "stream:" + topic)
    {
        ArgumentNullException.ThrowIfNull(framework);
        ArgumentException.ThrowIfNullOrWhiteSpace(topic);
        Framework = framework;
        Topic = topic;
        Options = options ?? new StreamConsumerOptions();
        Options.Validate();
    }

    /// <summary>Gets the stream framework read from.</summary>
    public IStreamFramework Framework { get; }

    /// <summary>Gets the stream read.</summary>
    public string Topic { get; }

    /// <summary>Gets the consumer options.</summary>
    public StreamConsumerOptions Options { get; }

    /// <summary>Gets the partitions the current run's consumer owns now (ascending); empty when not open or not yet assigned.</summary>
    public IReadOnlyList<int> Assignment => Consumer?.Assignment ?? [];

    /// <summary>Gets the consumer of the current run, or <see langword="null"/> when the source is not open.</summary>
    protected IStreamConsumer? Consumer => Volatile.Read(ref _consumer);

    /// <summary>Joins the consumer group.</summary>
    /// <param name="cancellationToken">Aborts the join.</param>
    /// <returns>A task that completes once joined.</returns>
    public override async ValueTask OpenAsync(CancellationToken cancellationToken = default)
    {
        if (_consumer is not null)
        {
            ThrowHelper.ThrowInvalidOperation($"Source '{Name}' is already open; one pipeline run at a time.");
        }

        Volatile.Write(ref _consumer, await CreateConsumerAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Joins the group: creates the consumer of a run. The default calls <see cref="IStreamFramework.ConsumeStreamAsync"/>.</summary>
    /// <param name="cancellationToken">Aborts the join.</param>
    /// <returns>The consumer, a member of the group.</returns>
    protected virtual ValueTask<IStreamConsumer> CreateConsumerAsync(CancellationToken cancellationToken) =>
        Framework.ConsumeStreamAsync(Topic, Options, cancellationToken);

    /// <summary>Leaves the consumer group. Does nothing when not open.</summary>
    /// <param name="cancellationToken">Aborts a slow close.</param>
    /// <returns>A task that completes once the consumer left.</returns>
    public override async ValueTask CloseAsync(CancellationToken cancellationToken = default)
    {
        if (Interlocked.Exchange(ref _consumer, null) is { } consumer)
        {
            await consumer.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public override async IAsyncEnumerable<Record<ReadOnlyMemory<byte>>> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var consumer = RequireConsumer();
        while (await consumer.WaitToConsumeAsync(cancellationToken).ConfigureAwait(false))
        {
            while (consumer.TryConsume(out var message))
            {
                yield return message.ToRecord();
            }
        }
    }

    /// <inheritdoc />
    public override SourceReader<Record<ReadOnlyMemory<byte>>> CreateReader() => new Reader(this);

    /// <summary>Commits the group's offsets: each position is the next offset to read in its partition.</summary>
    /// <param name="positions">The resume position of every partition that advanced.</param>
    /// <param name="cancellationToken">Aborts the commit.</param>
    /// <returns>A task that completes once committed.</returns>
    public override ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(positions);
        return Consumer is { } consumer ? consumer.CommitAsync(positions, cancellationToken) : default;
    }

    /// <inheritdoc />
    protected internal override SourcePosition GetResumePosition(in Record<ReadOnlyMemory<byte>> record, long ordinal) =>
        new(record.Position.Partition, record.Position.Offset + 1);

    /// <inheritdoc />
    /// <remarks>Passes the position on to the consumer (<see cref="IStreamConsumer.OnAcknowledged"/>), which drains on revocation with it.</remarks>
    protected internal override void OnAcknowledged(SourcePosition position) => Consumer?.OnAcknowledged(position);

    /// <inheritdoc />
    protected internal override int GetSize(in Record<ReadOnlyMemory<byte>> record) => record.Key.Length + record.Value.Length;

    private IStreamConsumer RequireConsumer()
    {
        var consumer = Consumer;
        if (consumer is null)
        {
            ThrowHelper.ThrowInvalidOperation($"Source '{Name}' is not open; the pipeline opens it (OpenAsync) before reading.");
        }

        return consumer;
    }

    /// <summary>The fast path: adds every message that is ready, waits only when none is.</summary>
    private sealed class Reader(StreamSource source) : SourceReader<Record<ReadOnlyMemory<byte>>>
    {
        public override async ValueTask<bool> FillAsync(SourceBuffer<Record<ReadOnlyMemory<byte>>> buffer, CancellationToken cancellationToken)
        {
            var consumer = source.RequireConsumer();
            while (true)
            {
                while (!buffer.IsFull && consumer.TryConsume(out var message))
                {
                    buffer.Add(message.ToRecord(), message.ResumePosition, message.Key.Length + message.Value.Length);
                }

                if (buffer.Count > 0)
                {
                    return true;
                }

                if (!await consumer.WaitToConsumeAsync(cancellationToken).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }
    }
}
