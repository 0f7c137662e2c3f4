using DataWeaver.Internal;

namespace DataWeaver.Connectors;

/// <summary>
/// Acknowledges one batch handed to <see cref="SinkConnector{T}.WriteBatchAsync"/>: the sink durably wrote
/// it. Call <see cref="Acknowledge"/> exactly once; the records (and the pooled buffers their bytes live in)
/// must not be touched afterwards.
/// </summary>
public readonly struct SinkAcknowledgement : IEquatable<SinkAcknowledgement>
{
    private readonly IBatch? _batch;
    private readonly int _generation;
    private readonly Action<Exception>? _fail;

    internal SinkAcknowledgement(IBatch batch, int generation, Action<Exception>? fail = null)
    {
        _batch = batch;
        _generation = generation;
        _fail = fail;
    }

    /// <summary>Marks the batch as durably written. Thread-safe; a second call throws.</summary>
    public void Acknowledge()
    {
        switch (_batch)
        {
            case null:
                ThrowHelper.ThrowInvalidOperation("This acknowledgement belongs to no batch.");
                break;
            case IAcknowledgeable ackable:
                ackable.Acknowledge(_generation);
                break;
        }
    }

    /// <summary>
    /// Reports that the batch will never be written, after <see cref="SinkConnector{T}.WriteBatchAsync"/> returned (a
    /// delivery report that failed): the pipeline fails with <paramref name="error"/> at once, and the batch is never
    /// acknowledged, so its positions are never committed. Error policies do not apply (the write already returned).
    /// Thread-safe; call it instead of <see cref="Acknowledge"/>, never after it.
    /// </summary>
    /// <param name="error">Why the batch failed; its <see cref="Errors.ErrorClass"/> shows in the run's failure.</param>
    public void Fail(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        if (_fail is null)
        {
            ThrowHelper.ThrowInvalidOperation("This acknowledgement belongs to no running pipeline.");
        }

        _fail(error);
    }

    /// <inheritdoc />
    public bool Equals(SinkAcknowledgement other) => ReferenceEquals(_batch, other._batch) && _generation == other._generation;

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is SinkAcknowledgement other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode() => HashCode.Combine(_batch, _generation);

    /// <summary>Compares two acknowledgements.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether both acknowledge the same batch.</returns>
    public static bool operator ==(SinkAcknowledgement left, SinkAcknowledgement right) => left.Equals(right);

    /// <summary>Compares two acknowledgements.</summary>
    /// <param name="left">The first.</param>
    /// <param name="right">The second.</param>
    /// <returns>Whether they acknowledge different batches.</returns>
    public static bool operator !=(SinkAcknowledgement left, SinkAcknowledgement right) => !left.Equals(right);
}
