namespace DataWeaver.Serialization.Avro.Serializers;

/// <summary>How each record's bytes are framed.</summary>
public enum AvroFraming
{
    /// <summary>The bare datum; the reader must know the writer schema.</summary>
    None,

    /// <summary>Avro single-object encoding: <c>C3 01</c> and the schema's CRC-64-AVRO fingerprint.</summary>
    SingleObject,

    /// <summary>The Confluent wire format: <c>00</c> and a 4-byte big-endian schema id.</summary>
    Confluent,
}
