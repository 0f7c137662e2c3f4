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

    internal SinkAcknowledgement(IBatch batch, int generation)
    {
        _batch = batch;
        _generation = generation;
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
