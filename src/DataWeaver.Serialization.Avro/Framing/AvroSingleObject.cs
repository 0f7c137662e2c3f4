using System.Buffers;
using System.Buffers.Binary;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Internal;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Framing;

/// <summary>Avro single-object encoding: <c>C3 01</c>, the 8-byte little-endian CRC-64-AVRO fingerprint of the writer schema, then the datum.</summary>
public static class AvroSingleObject
{
    /// <summary>The size of the header in bytes.</summary>
    public const int HeaderSize = 10;

    /// <summary>Writes a value with its single-object header.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="schema">The writer schema; its fingerprint goes in the header.</param>
    /// <param name="value">The value.</param>
    public static void Write(IBufferWriter<byte> output, AvroSchema schema, object? value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(schema);
        var header = output.GetSpan(HeaderSize);
        header[0] = 0xC3;
        header[1] = 0x01;
        BinaryPrimitives.WriteInt64LittleEndian(header[2..], schema.Fingerprint);
        output.Advance(HeaderSize);
        AvroDatum.Write(output, schema, value);
    }

    /// <summary>Reads and checks the header.</summary>
    /// <param name="data">The framed bytes.</param>
    /// <returns>The writer schema's fingerprint.</returns>
    /// <exception cref="DeserializationException">The data is shorter than the header or the marker is not <c>C3 01</c>.</exception>
    public static long ReadFingerprint(ReadOnlySpan<byte> data)
    {
        if (data.Length < HeaderSize)
        {
            ThrowHelper.ThrowData(data.Length, $"truncated single-object header: {data.Length} of {HeaderSize} bytes");
        }

        if (data[0] != 0xC3 || data[1] != 0x01)
        {
            ThrowHelper.ThrowData(0, $"wrong single-object marker 0x{data[0]:X2}{data[1]:X2} (expected 0xC301)");
        }

        return BinaryPrimitives.ReadInt64LittleEndian(data[2..]);
    }

    /// <summary>Reads a single-object encoded value.</summary>
    /// <param name="data">The framed bytes of exactly one value.</param>
    /// <param name="writerSchemas">Finds the writer schema by fingerprint; returns <see langword="null"/> when unknown.</param>
    /// <param name="readerSchema">The schema to read as; <see langword="null"/> reads as the writer schema.</param>
    /// <returns>The generic value.</returns>
    /// <exception cref="DeserializationException">The framing or data is malformed, or the fingerprint is unknown.</exception>
    public static object? Read(ReadOnlySpan<byte> data, Func<long, AvroSchema?> writerSchemas, AvroSchema? readerSchema = null)
    {
        ArgumentNullException.ThrowIfNull(writerSchemas);
        var fingerprint = ReadFingerprint(data);
        var writer = writerSchemas(fingerprint) ?? ThrowHelper.ThrowData<AvroSchema>(2, $"unknown schema fingerprint 0x{fingerprint:X16}");
        return ReadDatum(data[HeaderSize..], HeaderSize, writer, readerSchema, 64);
    }

    internal static object? ReadDatum(ReadOnlySpan<byte> body, int baseOffset, AvroSchema writer, AvroSchema? reader, int maxDepth)
    {
        var r = new AvroReader(body, baseOffset, maxDepth);
        var value = AvroDatum.Read(ref r, writer, reader);
        if (!r.End)
        {
            ThrowHelper.ThrowData(r.Offset, $"{r.Remaining} unexpected bytes after the value");
        }

        return value;
    }
}
