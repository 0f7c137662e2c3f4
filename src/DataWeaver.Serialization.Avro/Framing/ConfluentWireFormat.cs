using System.Buffers;
using System.Buffers.Binary;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Internal;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Framing;

/// <summary>The Confluent Schema Registry wire format: magic byte <c>0</c>, the 4-byte big-endian schema id, then the datum.</summary>
public static class ConfluentWireFormat
{
    /// <summary>The size of the header in bytes.</summary>
    public const int HeaderSize = 5;

    /// <summary>Writes a value with the Confluent header.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="schemaId">The registry id of <paramref name="schema"/>.</param>
    /// <param name="schema">The writer schema.</param>
    /// <param name="value">The value.</param>
    public static void Write(IBufferWriter<byte> output, int schemaId, AvroSchema schema, object? value)
    {
        ArgumentNullException.ThrowIfNull(output);
        var header = output.GetSpan(HeaderSize);
        header[0] = 0;
        BinaryPrimitives.WriteInt32BigEndian(header[1..], schemaId);
        output.Advance(HeaderSize);
        AvroDatum.Write(output, schema, value);
    }

    /// <summary>Reads and checks the header.</summary>
    /// <param name="data">The framed bytes.</param>
    /// <returns>The schema id.</returns>
    /// <exception cref="DeserializationException">The data is shorter than the header or the magic byte is not 0.</exception>
    public static int ReadSchemaId(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize)
        {
            ThrowHelper.ThrowData(data.Length, $"truncated Confluent header: {data.Length} of {HeaderSize} bytes");
        }

        if (data[0] != 0)
        {
            ThrowHelper.ThrowData(0, $"wrong Confluent magic byte 0x{data[0]:X2} (expected 0x00)");
        }

        return BinaryPrimitives.ReadInt32BigEndian(data[1..]);
    }

    /// <summary>Reads a Confluent-framed value.</summary>
    /// <param name="data">The framed bytes of exactly one value.</param>
    /// <param name="writerSchemas">Finds the writer schema by id; returns <see langword="null"/> when unknown.</param>
    /// <param name="readerSchema">The schema to read as; <see langword="null"/> reads as the writer schema.</param>
    /// <returns>The generic value.</returns>
    /// <exception cref="DeserializationException">The framing or data is malformed, or the id is unknown.</exception>
    public static object? Read(ReadOnlySpan<byte> data, Func<int, AvroSchema?> writerSchemas, AvroSchema? readerSchema = null)
    {
        ArgumentNullException.ThrowIfNull(writerSchemas);
        var id = ReadSchemaId(data);
        var writer = writerSchemas(id) ?? ThrowHelper.ThrowData<AvroSchema>(1, $"unknown schema id {id}");
        return AvroSingleObject.ReadDatum(data[HeaderSize..], HeaderSize, writer, readerSchema, 64);
    }
}
