using DataWeaver.Records;

namespace DataWeaver.Connectors;

/// <summary>
/// A connector that reads records from an external system: override
/// <see cref="ReadAsync"/> and optionally <see cref="Process"/> (<c>process()</c>).
/// </summary>
/// <remarks>
/// Positions: by default the n-th record read (counting from 0) has resume position <c>0@(n+1)</c>. Sources
/// that know better (a partition and offset, a byte offset) override <see cref="GetResumePosition"/> or
/// implement a <see cref="SourceReader{T}"/>. When every record up to a position is acknowledged by the
/// sinks, the engine calls <see cref="OnAcknowledged"/>, and <see cref="CommitAsync"/> periodically and when
/// the pipeline drains.
/// </remarks>
/// <typeparam name="T">The record type.</typeparam>
public abstract class SourceConnector<T> : Connector
{
    /// <summary>Creates a source connector.</summary>
    /// <param name="name">A name for graphs, logs and errors; <see langword="null"/> uses the type name.</param>
    protected SourceConnector(string? name = null)
        : base(name)
    {
    }

    /// <summary>
    /// Reads records. The sequence ends when the source has no more records; a
    /// never-ending source waits for the next one. MUST honour <paramref name="cancellationToken"/>, which
    /// is signalled when the pipeline stops reading or aborts.
    /// </summary>
    /// <param name="cancellationToken">Signalled when the pipeline stops reading or aborts.</param>
    /// <returns>The records, in source order.</returns>
    public abstract IAsyncEnumerable<T> ReadAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Transforms a record right after it was read. Runs in the first block of
    /// the pipeline, fused with the transforms that follow. The default returns the record unchanged and
    /// is left out of the compiled graph.
    /// </summary>
    /// <param name="message">The record read.</param>
    /// <returns>The processed record.</returns>
    public virtual T Process(T message) => message;

    /// <summary>
    /// Sends records to the engine batch by batch. The default reader pulls <see cref="ReadAsync"/>; override
    /// this in sources that read many records at once.
    /// </summary>
    /// <returns>A reader for one pipeline run.</returns>
    public virtual SourceReader<T> CreateReader() => new EnumerableSourceReader<T>(this);

    /// <summary>
    /// Gets where reading resumes once <paramref name="record"/> and every earlier record of its partition are
    /// acknowledged. The default is partition 0 and <paramref name="ordinal"/> + 1.
    /// </summary>
    /// <param name="record">The record.</param>
    /// <param name="ordinal">How many records this run read before this one.</param>
    /// <returns>The resume position.</returns>
    protected internal virtual SourcePosition GetResumePosition(in T record, long ordinal) => new(0, ordinal + 1);

    /// <summary>Gets a record's payload size in bytes, counted against byte capacities. The default is 0 (unknown).</summary>
    /// <param name="record">The record.</param>
    /// <returns>The size in bytes.</returns>
    protected internal virtual int GetSize(in T record) => 0;

    /// <summary>
    /// Called each time the watermark of a partition advances: every record before
    /// <paramref name="position"/> was acknowledged by every sink it went to. Called from pipeline threads,
    /// possibly concurrently for different partitions; MUST NOT block and MUST NOT throw. The default does nothing.
    /// </summary>
    /// <param name="position">The new resume position of the partition.</param>
    protected internal virtual void OnAcknowledged(SourcePosition position)
    {
    }

    /// <summary>
    /// Makes acknowledged positions durable (a Kafka offset commit, a checkpoint file). Called periodically
    /// while the pipeline runs (see <see cref="Pipelines.PipelineOptions.CommitInterval"/>) and once more after
    /// a drain, never concurrently with itself. The default does nothing.
    /// </summary>
    /// <param name="positions">The resume position of every partition that advanced.</param>
    /// <param name="cancellationToken">Aborts the commit.</param>
    /// <returns>A task that completes once committed.</returns>
    public virtual ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default) => default;

    internal bool OverridesProcess =>
        GetType().GetMethod(nameof(Process), [typeof(T)])!.DeclaringType != typeof(SourceConnector<T>);
}
