using System.Buffers;
using System.Collections.Concurrent;
using Avro.Specific;
using DataWeaver.Serialization.Avro.Apache.Internal;
using DataWeaver.Serialization.Avro.Binary;
using DataWeaver.Serialization.Avro.Framing;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Resolution;
using DataWeaver.Serialization.Avro.Schema;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Serialization.Avro.Apache.Serializers;

/// <summary>
/// Decodes Avro into Apache.Avro values with DataWeaver's Avro codec: <typeparamref name="T"/> is a class generated
/// by Apache.Avro's code generator (an <see cref="ISpecificRecord"/>) or Apache's <see cref="global::Avro.Generic.GenericRecord"/>.
/// Values are Apache's model: <see cref="global::Avro.AvroDecimal"/>, <see cref="Guid"/>, <see cref="DateTime"/> for dates and
/// timestamps, <see cref="TimeSpan"/> for times; arrays are <c>object[]</c> (generic) or <c>List&lt;T&gt;</c> (specific).
/// Framing and schema lookup as in <see cref="AvroDeserializer{T}"/>. Data written with another writer schema is
/// resolved to the reader schema by DataWeaver's resolver first. Thread-safe. Bad input raises
/// <see cref="DeserializationException"/> with format <c>avro</c>, the byte offset and the reason.
/// </summary>
/// <typeparam name="T">An <see cref="ISpecificRecord"/> class or <see cref="global::Avro.Generic.GenericRecord"/>.</typeparam>
public sealed class ApacheAvroDeserializer<T> : IRecordDeserializer<T>
    where T : class
{
    private readonly AvroSchema _writerSchema;
    private readonly AvroSchema _readerSchema;
    private readonly AvroSerializerOptions _options;
    private readonly ApacheNode _root;
    private readonly ConcurrentDictionary<AvroSchema, bool> _checked = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the deserializer of a generated class, reading data written with the schema the class was generated from.</summary>
    /// <param name="options">The options; <see langword="null"/> for the defaults.</param>
    public ApacheAvroDeserializer(AvroSerializerOptions? options = null)
        : this(ApacheTypes.SchemaOf<T>(), options)
    {
    }

    /// <summary>Creates the deserializer.</summary>
    /// <param name="writerSchema">The schema data is written with (the default when framing names no other).</param>
    /// <param name="options">The options; <see cref="AvroSerializerOptions.ReaderSchema"/> is the schema of <typeparamref name="T"/>
    /// when it differs from the writer schema.</param>
    /// <exception cref="AvroSchemaException">The reader schema cannot read the writer schema, or a named type has no generated C# type.</exception>
    public ApacheAvroDeserializer(AvroSchema writerSchema, AvroSerializerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(writerSchema);
        _writerSchema = writerSchema;
        _options = ApacheTypes.Validate(options);
        _readerSchema = _options.ReaderSchema ?? writerSchema;
        SchemaResolver.EnsureCompatible(_writerSchema, _readerSchema);
        _root = ApachePlan.Create(_readerSchema, ApacheTypes.SpecificAssembly<T>()).Root;
    }

    /// <inheritdoc />
    public string Format => "avro";

    /// <inheritdoc />
    public T Deserialize(ReadOnlySpan<byte> data)
    {
        if (data.Length > _options.MaxRecordSize)
        {
            throw new DeserializationException("avro", _options.MaxRecordSize, $"the record is {data.Length} bytes, above the maximum record size of {_options.MaxRecordSize} bytes");
        }

        var writer = _writerSchema;
        var offset = 0;
        switch (_options.Framing)
        {
            case AvroFraming.SingleObject:
                var fp = AvroSingleObject.ReadFingerprint(data);
                writer = fp == _writerSchema.Fingerprint ? _writerSchema : _options.SchemaLookup?.Invoke(fp) ?? throw new DeserializationException("avro", 2, $"unknown schema fingerprint 0x{fp:X16}");
                offset = AvroSingleObject.HeaderSize;
                break;
            case AvroFraming.Confluent:
                var id = ConfluentWireFormat.ReadSchemaId(data);
                writer = id == _options.SchemaId ? _writerSchema : _options.SchemaLookup?.Invoke(id) ?? throw new DeserializationException("avro", 1, $"unknown schema id {id}");
                offset = ConfluentWireFormat.HeaderSize;
                break;
            default:
                break;
        }

        if (!ReferenceEquals(writer, _readerSchema) && writer.CanonicalForm != _readerSchema.CanonicalForm)
        {
            return Resolve(data[offset..], writer, offset);
        }

        var reader = new AvroReader(data[offset..], offset, _options.MaxDepth);
        var result = (T)_root.Read(ref reader)!;
        if (!reader.End)
        {
            throw new DeserializationException("avro", reader.Offset, $"{reader.Remaining} unexpected bytes after the value");
        }

        return result;
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
            throw new DeserializationException("avro", _options.MaxRecordSize, $"the record is {data.Length} bytes, above the maximum record size of {_options.MaxRecordSize} bytes");
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

    /// <summary>Data of another writer schema: DataWeaver's resolver reads it as the reader schema, the result is re-encoded and read into Apache's objects.</summary>
    private T Resolve(ReadOnlySpan<byte> payload, AvroSchema writer, int offset)
    {
        if (!_checked.ContainsKey(writer))
        {
            try
            {
                SchemaResolver.EnsureCompatible(writer, _readerSchema);
            }
            catch (AvroSchemaException ex)
            {
                throw new DeserializationException("avro", offset, "the writer schema cannot be read as the reader schema: " + ex.Problem, ex);
            }

            _checked[writer] = true;
        }

        var reader = new AvroReader(payload, offset, _options.MaxDepth);
        var value = AvroDatum.Read(ref reader, writer, _readerSchema);
        if (!reader.End)
        {
            throw new DeserializationException("avro", reader.Offset, $"{reader.Remaining} unexpected bytes after the value");
        }

        var resolved = AvroDatum.ToArray(_readerSchema, value);
        var again = new AvroReader(resolved, offset, _options.MaxDepth);
        return (T)_root.Read(ref again)!;
    }
}
