using System.Buffers;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Framing;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Internal;
using DataWeaver.Serialization.Avro.Internal.Reading;
using DataWeaver.Serialization.Avro.Internal.Typed;
using DataWeaver.Serialization.Avro.Schema;

namespace DataWeaver.Serialization.Avro.Serializers;

/// <summary>
/// Decodes Avro into <typeparamref name="T"/> (<see cref="GenericRecord"/>, <see cref="object"/> for any
/// generic value, or a C# record/class mapped by property name), with optional framing and schema
/// resolution. Thread-safe. Bad input raises <see cref="DeserializationException"/> with format <c>avro</c>,
/// the byte offset and the reason; it never crashes and never hangs.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class AvroDeserializer<T> : IRecordDeserializer<T>
{
    private readonly AvroSchema _writerSchema;
    private readonly AvroSchema _readerSchema;
    private readonly AvroSerializerOptions _options;

    /// <summary>The typed reader of the deserializer's own writer schema; <see langword="null"/> for generic values.</summary>
    private readonly TypedReader<T>? _typed;

    /// <summary>Creates the deserializer and builds the schema resolution once.</summary>
    /// <param name="writerSchema">The schema data is written with (the default when framing names no other).</param>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    /// <exception cref="AvroSchemaException">The reader schema cannot read the writer schema.</exception>
    public AvroDeserializer(AvroSchema writerSchema, AvroSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writerSchema);
        _writerSchema = writerSchema;
        _options = (options ?? new AvroSerializerOptions()).Validate();
        _readerSchema = _options.ReaderSchema ?? writerSchema;
        ReadPlanBuilder.Get(_writerSchema, _readerSchema);
        if (typeof(T) != typeof(object) && typeof(T) != typeof(GenericRecord))
        {
            _typed = TypedReaderBuilder.Get<T>(_writerSchema, _readerSchema);
        }
    }

    /// <inheritdoc />
    public string Format => "avro";

    /// <inheritdoc />
    public T Deserialize(ReadOnlySpan<byte> data)
    {
        if (data.Length > _options.MaxRecordSize)
        {
            ThrowHelper.ThrowData(_options.MaxRecordSize, $"the record is {data.Length} bytes, above the maximum record size of {_options.MaxRecordSize} bytes");
        }

        var writer = _writerSchema;
        var offset = 0;
        switch (_options.Framing)
        {
            case AvroFraming.SingleObject:
                var fp = AvroSingleObject.ReadFingerprint(data);
                writer = fp == _writerSchema.Fingerprint ? _writerSchema : _options.SchemaLookup?.Invoke(fp) ?? ThrowHelper.ThrowData<AvroSchema>(2, $"unknown schema fingerprint 0x{fp:X16}");
                offset = AvroSingleObject.HeaderSize;
                break;
            case AvroFraming.Confluent:
                var id = ConfluentWireFormat.ReadSchemaId(data);
                writer = id == _options.SchemaId ? _writerSchema : _options.SchemaLookup?.Invoke(id) ?? ThrowHelper.ThrowData<AvroSchema>(1, $"unknown schema id {id}");
                offset = ConfluentWireFormat.HeaderSize;
                break;
            default:
                break;
        }

        var reader = new AvroReader(data[offset..], offset, _options.MaxDepth);
        if (_typed is not null)
        {
            var typed = ReferenceEquals(writer, _writerSchema) ? _typed : TypedReaderFor(writer, offset);
            var result = typed.Read(ref reader);
            if (!reader.End)
            {
                ThrowHelper.ThrowData(reader.Offset, $"{reader.Remaining} unexpected bytes after the value");
            }

            return result;
        }

        object? value;
        try
        {
            value = ReadPlanBuilder.Get(writer, _readerSchema).Read(ref reader);
        }
        catch (AvroSchemaException ex)
        {
            throw new DeserializationException(ThrowHelper.Format, offset, "the writer schema cannot be read as the reader schema: " + ex.Problem, ex);
        }

        if (!reader.End)
        {
            ThrowHelper.ThrowData(reader.Offset, $"{reader.Remaining} unexpected bytes after the value");
        }

        return AvroDatum.ConvertTo<T>(value, _readerSchema, data.Length);
    }

    /// <inheritdoc />
    public T Deserialize(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Deserialize(data.FirstSpan);
        }

        if (data.Length > _options.MaxRecordSize)
        {
            ThrowHelper.ThrowData(_options.MaxRecordSize, $"the record is {data.Length} bytes, above the maximum record size of {_options.MaxRecordSize} bytes");
        }

        var length = (int)data.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            data.CopyTo(rented);
            return Deserialize(rented.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private TypedReader<T> TypedReaderFor(AvroSchema writer, int offset)
    {
        try
        {
            return TypedReaderBuilder.Get<T>(writer, _readerSchema);
        }
        catch (AvroSchemaException ex)
        {
            throw new DeserializationException(ThrowHelper.Format, offset, "the writer schema cannot be read as the reader schema: " + ex.Problem, ex);
        }
    }
}
