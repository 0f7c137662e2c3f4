using System.Buffers;
using System.Buffers.Binary;

using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Serialization.Avro.Framing;

/// <summary>Writes the header an <see cref="AvroFraming"/> puts before a datum, for serializers that frame their own output.</summary>
public static class AvroFrameHeader
{
    /// <summary>
    /// Writes the header of <paramref name="framing"/>: nothing for <see cref="AvroFraming.None"/>; <c>C3 01</c> and the
    /// schema's fingerprint (little-endian) for <see cref="AvroFraming.SingleObject"/>; a zero byte and the schema id
    /// (big-endian) for <see cref="AvroFraming.Confluent"/>.
    /// </summary>
    /// <param name="output">Where the header goes.</param>
    /// <param name="framing">The framing.</param>
    /// <param name="schema">The writer schema (its fingerprint for single-object encoding).</param>
    /// <param name="schemaId">The registry id (Confluent framing only).</param>
    public static void Write(IBufferWriter<byte> output, AvroFraming framing, AvroSchema schema, int schemaId)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        switch (framing)
        {
            case AvroFraming.SingleObject:
                var so = output.GetSpan(10);
                so[0] = 0xC3;
                so[1] = 0x01;
                BinaryPrimitives.WriteInt64LittleEndian(so[2..], schema.Fingerprint);
                output.Advance(10);
                break;
            case AvroFraming.Confluent:
                var cf = output.GetSpan(5);
                cf[0] = 0;
                BinaryPrimitives.WriteInt32BigEndian(cf[1..], schemaId);
                output.Advance(5);
                break;
            default:
                break;
        }
    }
}
