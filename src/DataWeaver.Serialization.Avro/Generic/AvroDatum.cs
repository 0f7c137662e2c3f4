using System.Buffers;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Internal;
using DataWeaver.Serialization.Avro.Internal.Reading;
using DataWeaver.Serialization.Avro.Internal.Typed;
using DataWeaver.Serialization.Avro.Internal.Writing;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Generic;

/// <summary>
/// Encodes and decodes single Avro datums (no framing) as generic values or typed C# objects. Read plans
/// (writer/reader resolution) and typed mappings are built once per schema pair and type, and cached.
/// </summary>
public static class AvroDatum
{
    /// <summary>Writes a generic value or a C# object in the schema's binary encoding.</summary>
    /// <param name="writer">The binary writer.</param>
    /// <param name="schema">The schema to write with.</param>
    /// <param name="value">A generic value (see <see cref="GenericRecord"/>) or a C# object whose public properties match the record's fields.</param>
    /// <exception cref="AvroEncodingException">The value does not match the schema.</exception>
    public static void Write(ref AvroWriter writer, AvroSchema schema, object? value)
    {
        ArgumentNullException.ThrowIfNull(schema);
        ValueWriter.Write(ref writer, schema, value);
    }

    /// <summary>Writes a value and flushes it to <paramref name="output"/>.</summary>
    /// <param name="output">Where the bytes go.</param>
    /// <param name="schema">The schema to write with.</param>
    /// <param name="value">The value.</param>
    /// <exception cref="AvroEncodingException">The value does not match the schema.</exception>
    public static void Write(IBufferWriter<byte> output, AvroSchema schema, object? value)
    {
        var writer = new AvroWriter(output);
        Write(ref writer, schema, value);
        writer.Flush();
    }

    /// <summary>Encodes a value into a new array.</summary>
    /// <param name="schema">The schema to write with.</param>
    /// <param name="value">The value.</param>
    /// <returns>The encoded bytes.</returns>
    public static byte[] ToArray(AvroSchema schema, object? value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        Write(buffer, schema, value);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Reads one generic value written with <paramref name="writerSchema"/>, resolved to <paramref name="readerSchema"/>.</summary>
    /// <param name="reader">The binary reader.</param>
    /// <param name="writerSchema">The schema the data was written with.</param>
    /// <param name="readerSchema">The schema to read as; <see langword="null"/> reads as the writer schema.</param>
    /// <returns>The generic value.</returns>
    /// <exception cref="DeserializationException">The data is malformed.</exception>
    /// <exception cref="AvroSchemaException">The schemas cannot be resolved.</exception>
    public static object? Read(ref AvroReader reader, AvroSchema writerSchema, AvroSchema? readerSchema = null)
    {
        ArgumentNullException.ThrowIfNull(writerSchema);
        return ReadPlanBuilder.Get(writerSchema, readerSchema ?? writerSchema).Read(ref reader);
    }

    /// <summary>Reads exactly one generic value from <paramref name="data"/>; trailing bytes are an error.</summary>
    /// <param name="data">The encoded datum.</param>
    /// <param name="writerSchema">The schema the data was written with.</param>
    /// <param name="readerSchema">The schema to read as; <see langword="null"/> reads as the writer schema.</param>
    /// <returns>The generic value.</returns>
    /// <exception cref="DeserializationException">The data is malformed.</exception>
    public static object? Read(ReadOnlySpan<byte> data, AvroSchema writerSchema, AvroSchema? readerSchema = null)
    {
        var reader = new AvroReader(data);
        var value = Read(ref reader, writerSchema, readerSchema);
        if (!reader.End)
        {
            ThrowHelper.ThrowData(reader.Offset, $"{reader.Remaining} unexpected bytes after the value");
        }

        return value;
    }

    /// <summary>Reads exactly one value and maps it to <typeparamref name="T"/> (a C# record or class with public properties, matched to fields by name, case-insensitive).</summary>
    /// <typeparam name="T">The C# type.</typeparam>
    /// <param name="data">The encoded datum.</param>
    /// <param name="writerSchema">The schema the data was written with.</param>
    /// <param name="readerSchema">The schema to read as; <see langword="null"/> reads as the writer schema.</param>
    /// <returns>The mapped object.</returns>
    /// <exception cref="DeserializationException">The data is malformed or does not map to <typeparamref name="T"/>.</exception>
    public static T Read<T>(ReadOnlySpan<byte> data, AvroSchema writerSchema, AvroSchema? readerSchema = null)
    {
        if (typeof(T) != typeof(object) && typeof(T) != typeof(GenericRecord))
        {
            ArgumentNullException.ThrowIfNull(writerSchema);
            var typed = TypedReaderBuilder.Get<T>(writerSchema, readerSchema ?? writerSchema);
            var reader = new AvroReader(data);
            var result = typed.Read(ref reader);
            if (!reader.End)
            {
                ThrowHelper.ThrowData(reader.Offset, $"{reader.Remaining} unexpected bytes after the value");
            }

            return result;
        }

        var value = Read(data, writerSchema, readerSchema);
        return ConvertTo<T>(value, readerSchema ?? writerSchema, data.Length);
    }

    internal static T ConvertTo<T>(object? value, AvroSchema schema, long offset)
    {
        if (value is T t && (typeof(T) == typeof(object) || typeof(T) == typeof(GenericRecord)))
        {
            return t;
        }

        try
        {
            return (T)TypedConverters.Get(typeof(T), schema)(value)!;
        }
        catch (InvalidCastException ex)
        {
            throw new DeserializationException(ThrowHelper.Format, offset, $"the value cannot be mapped to {typeof(T).Name}: {ex.Message}", ex);
        }
    }
}
