using DataWeaver.Internal;

namespace DataWeaver.Connectors;

/// <summary>
/// A connector that writes records to an external system: override
/// <see cref="WriteAsync"/> and optionally
/// <see cref="Process"/>.
/// </summary>
/// <remarks>
/// A batch counts as acknowledged when <see cref="WriteAsync"/> completes successfully. Sinks that learn of
/// durability later (a producer's delivery reports) override <see cref="WriteBatchAsync"/> and acknowledge
/// through the <see cref="SinkAcknowledgement"/> when the write is durable.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public abstract class SinkConnector<T> : Connector, IFlushableSink
{
    private bool? _overridesProcess;

    /// <summary>Creates a sink connector.</summary>
    /// <param name="name">A name for graphs, logs and errors; <see langword="null"/> uses the type name.</param>
    protected SinkConnector(string? name = null)
        : base(name)
    {
    }

    /// <summary>
    /// Transforms a record right before it is written. Runs in the sink's block.
    /// The default returns the record unchanged and is left out of the compiled graph.
    /// </summary>
    /// <param name="message">The record.</param>
    /// <returns>The record to write.</returns>
    public virtual T Process(T message) => message;

    /// <summary>
    /// Writes a batch of records. Completing successfully acknowledges the batch.
    /// The records are valid only until the returned task completes; copy what you keep. Called by one
    /// worker at a time unless the sink stage runs with a degree of parallelism above 1.
    /// </summary>
    /// <param name="batch">The records, in pipeline order.</param>
    /// <param name="cancellationToken">Signalled when the pipeline aborts.</param>
    /// <returns>A task that completes once the records are durably written.</returns>
    public abstract ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a batch and acknowledges it once it is durable. The default awaits <see cref="WriteAsync"/> and
    /// then acknowledges. Overrides may acknowledge later (from a delivery callback); the records stay valid
    /// until then. A batch that is never acknowledged is never committed at its source.
    /// </summary>
    /// <param name="batch">The records, in pipeline order.</param>
    /// <param name="acknowledgement">Call <see cref="SinkAcknowledgement.Acknowledge"/> once the batch is durable.</param>
    /// <param name="cancellationToken">Signalled when the pipeline aborts.</param>
    /// <returns>A task that completes once the sink is ready for the next batch.</returns>
    public virtual async ValueTask WriteBatchAsync(ReadOnlyMemory<T> batch, SinkAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
    {
        await WriteAsync(batch, cancellationToken).ConfigureAwait(false);
        acknowledgement.Acknowledge();
    }

    /// <summary>
    /// Flushes what the sink buffers. Called once after the last batch when the run ends well (the source ran out of
    /// records, or a stop drained the run), before the sources' last commit; never after a failure or an abort. That
    /// makes it the place to publish what the run wrote: a sink that replaces its output (see
    /// <see cref="Files.Output.SafeFileWriter.Commit"/>) renames it over the old one here, and a sink closed without
    /// this call discards the run's output and leaves the old one as it was. The default does nothing.
    /// </summary>
    /// <param name="cancellationToken">Aborts the flush.</param>
    /// <returns>A task that completes once everything written is durable.</returns>
    public virtual ValueTask FlushAsync(CancellationToken cancellationToken = default) => default;

    /// <summary>Gets a value indicating whether the connector overrides <see cref="Process"/> (reflected once: every run asks).</summary>
    internal bool OverridesProcess => _overridesProcess ??=
        GetType().GetMethod(nameof(Process), [typeof(T)])!.DeclaringType != typeof(SinkConnector<T>);
}
