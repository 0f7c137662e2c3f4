using System.Buffers;
using DataWeaver.Errors;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Framing;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Internal.Typed;
using DataWeaver.Serialization.Avro.Internal.Writing;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Serializers;

/// <summary>
/// Encodes <typeparamref name="T"/> (a <see cref="Generic.GenericRecord"/>, any generic value, or a C#
/// record/class whose public properties match the schema's fields) as Avro, with optional framing.
/// Thread-safe. A record above <see cref="AvroSerializerOptions.MaxRecordSize"/> raises
/// <see cref="RecordTooLargeException"/> and nothing is written.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class AvroSerializer<T> : IRecordSerializer<T>
{
    [ThreadStatic]
    private static ArrayBufferWriter<byte>? scratch;

    private readonly AvroSchema _schema;
    private readonly AvroSerializerOptions _options;

    /// <summary>The typed writer of a C# type; <see langword="null"/> for generic values.</summary>
    private readonly TypedWriter<T>? _typed;

    /// <summary>Creates the serializer.</summary>
    /// <param name="schema">The writer schema.</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public AvroSerializer(AvroSchema schema, AvroSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(schema);
        _schema = schema;
        _options = (options ?? new AvroSerializerOptions()).Validate();
        if (typeof(T) != typeof(object) && typeof(T) != typeof(GenericRecord))
        {
            _typed = TypedWriterBuilder.Get<T>(schema);
        }
    }

    /// <inheritdoc />
    public string Format => "avro";

    /// <inheritdoc />
    /// <exception cref="AvroEncodingException">The value does not match the schema.</exception>
    /// <exception cref="RecordTooLargeException">The encoded record is above the maximum record size.</exception>
    public void Serialize(in T value, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        var buffer = scratch ??= new ArrayBufferWriter<byte>();
        buffer.ResetWrittenCount();
        AvroFrameHeader.Write(buffer, _options.Framing, _schema, _options.SchemaId);
        var w = new AvroWriter(buffer);
        if (_typed is not null)
        {
            _typed.Write(ref w, value);
        }
        else
        {
            ValueWriter.Write(ref w, _schema, value);
        }

        w.Flush();
        if (buffer.WrittenCount > _options.MaxRecordSize)
        {
            var size = buffer.WrittenCount;
            if (buffer.Capacity > 4 * _options.MaxRecordSize)
            {
                scratch = null;
            }

            throw new RecordTooLargeException("avro serializer", size, _options.MaxRecordSize);
        }

        writer.Write(buffer.WrittenSpan);
    }
}
