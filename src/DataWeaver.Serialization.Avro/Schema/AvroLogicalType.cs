namespace DataWeaver.Serialization.Avro.Schema;

/// <summary>The logical types of the Avro 1.11 specification. A logical type that is invalid for its schema is ignored, as the specification requires.</summary>
#pragma warning disable CA1720 // The members are the logical type names of the Avro specification.
public enum AvroLogicalType
{
    /// <summary>No logical type.</summary>
    None,

    /// <summary><c>decimal</c> on <c>bytes</c> or <c>fixed</c>: an unscaled two's-complement big-endian integer with a scale.</summary>
    Decimal,

    /// <summary><c>uuid</c> on <c>string</c>, read as <see cref="System.Guid"/>.</summary>
    Uuid,

    /// <summary><c>date</c> on <c>int</c>: days since 1970-01-01, read as <see cref="System.DateOnly"/>.</summary>
    Date,

    /// <summary><c>time-millis</c> on <c>int</c>: milliseconds after midnight, read as <see cref="System.TimeOnly"/>.</summary>
    TimeMillis,

    /// <summary><c>time-micros</c> on <c>long</c>: microseconds after midnight, read as <see cref="System.TimeOnly"/>.</summary>
    TimeMicros,

    /// <summary><c>timestamp-millis</c> on <c>long</c>: milliseconds since the UTC epoch, read as a UTC <see cref="System.DateTime"/>.</summary>
    TimestampMillis,

    /// <summary><c>timestamp-micros</c> on <c>long</c>: microseconds since the UTC epoch, read as a UTC <see cref="System.DateTime"/>.</summary>
    TimestampMicros,

    /// <summary><c>local-timestamp-millis</c> on <c>long</c>: milliseconds since the local epoch, read as an unspecified-kind <see cref="System.DateTime"/>.</summary>
    LocalTimestampMillis,

    /// <summary><c>local-timestamp-micros</c> on <c>long</c>: microseconds since the local epoch, read as an unspecified-kind <see cref="System.DateTime"/>.</summary>
    LocalTimestampMicros,
}
#pragma warning restore CA1720
