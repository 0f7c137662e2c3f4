namespace DataWeaver.Records;

/// <summary>
/// The envelope of a record as it moves through a pipeline: key, value, headers, timestamp and the
/// position in its source. Sources that know these (files, streams, Kafka) produce records of this type;
/// pipelines of plain values (numbers, your own types) don't need it.
/// </summary>
/// <remarks>
/// When <typeparamref name="TValue"/> is <see cref="ReadOnlyMemory{T}"/> of bytes, the bytes usually live in
/// a pooled buffer owned by the batch that carries the record. They stay valid until the sink that receives
/// the record has acknowledged it; a sink that keeps them longer must copy them.
/// </remarks>
/// <typeparam name="TValue">The value type.</typeparam>
/// <param name="Key">The key bytes; empty when the record has no key.</param>
/// <param name="Value">The value.</param>
/// <param name="Headers">The headers, or <see langword="null"/> when there are none.</param>
/// <param name="Timestamp">When the record was created at its source.</param>
/// <param name="Position">Where the record sits in its source.</param>
public readonly record struct Record<TValue>(
    ReadOnlyMemory<byte> Key,
    TValue Value,
    RecordHeaders? Headers,
    DateTimeOffset Timestamp,
    SourcePosition Position) : IRecordEnvelope
{
    /// <inheritdoc />
    object? IRecordEnvelope.BoxedValue => Value;

    /// <summary>Returns a copy of this record with another value and the same envelope.</summary>
    /// <typeparam name="TOther">The new value type.</typeparam>
    /// <param name="value">The new value.</param>
    /// <returns>The new record.</returns>
    public Record<TOther> WithValue<TOther>(TOther value) => new(Key, value, Headers, Timestamp, Position);
}
