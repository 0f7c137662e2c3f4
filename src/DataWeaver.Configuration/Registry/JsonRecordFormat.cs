using System.Buffers;
using DataWeaver.Serialization;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Configuration;

/// <summary>
/// A format as pipelines from files use it: how a connector's bytes become <see cref="JsonRecord"/>s and back. Built-in:
/// <c>json</c> (the record is the JSON object), <c>string</c> (text as <c>{"value": "..."}</c>) and <c>raw</c> (bytes
/// as <c>{"value": "base64"}</c>); others come from <see cref="ConnectorRegistry.RegisterFormat"/> or from the
/// <see cref="SerializerRegistry"/> when its format can read or write <see cref="JsonRecord"/>. Immutable and thread-safe.
/// </summary>
public sealed class JsonRecordFormat
{
    private readonly JsonRecordOptions? _borrow;

    /// <summary>Creates a format from a serializer and a deserializer of <see cref="JsonRecord"/>.</summary>
    /// <param name="name">The format's name.</param>
    /// <param name="serializer">Writes records; <see langword="null"/> when the format is read-only.</param>
    /// <param name="deserializer">Reads records; <see langword="null"/> when the format is write-only.</param>
    public JsonRecordFormat(string name, IRecordSerializer<JsonRecord>? serializer, IRecordDeserializer<JsonRecord>? deserializer)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (serializer is null && deserializer is null)
        {
            throw new ArgumentException("Give a serializer, a deserializer or both.", nameof(serializer));
        }

        Name = name;
        Serializer = serializer;
        Deserializer = deserializer;
    }

    private JsonRecordFormat(JsonRecordOptions options)
        : this("json", JsonRecordCodec.Default, new JsonRecordCodec(options))
    {
        _borrow = options;
    }

    /// <summary>Gets the <c>json</c> format with the default limits (records up to 1 MiB).</summary>
    public static JsonRecordFormat Json { get; } = new(JsonRecordOptions.Default);

    /// <summary>Gets the format's name.</summary>
    public string Name { get; }

    /// <summary>Gets the serializer, or <see langword="null"/> when the format cannot write.</summary>
    public IRecordSerializer<JsonRecord>? Serializer { get; }

    /// <summary>Gets the deserializer, or <see langword="null"/> when the format cannot read.</summary>
    public IRecordDeserializer<JsonRecord>? Deserializer { get; }

    /// <summary>Creates the <c>json</c> format with a record size limit.</summary>
    /// <param name="maxRecordBytes">The largest record accepted, in bytes.</param>
    /// <returns>The format.</returns>
    public static JsonRecordFormat JsonWithLimit(int maxRecordBytes) =>
        maxRecordBytes == JsonRecordOptions.DefaultMaxRecordBytes ? Json : new(new JsonRecordOptions { MaxRecordBytes = maxRecordBytes });

    /// <summary>
    /// Turns a payload into a record. The <c>json</c> format wraps the bytes without copying them (the record borrows
    /// them, as a pooled source line is borrowed until acknowledged); other formats decode into new memory.
    /// </summary>
    /// <param name="payload">The bytes of one record.</param>
    /// <returns>The record.</returns>
    /// <exception cref="DeserializationException">The bytes are not a valid record of this format (a data error).</exception>
    /// <exception cref="InvalidOperationException">The format cannot read.</exception>
    public JsonRecord Decode(ReadOnlyMemory<byte> payload)
    {
        if (_borrow is not null)
        {
            return JsonRecord.Parse(payload, _borrow);
        }

        return (Deserializer ?? throw new InvalidOperationException($"The format '{Name}' cannot read records.")).Deserialize(payload.Span);
    }

    /// <summary>Writes a record into a new array.</summary>
    /// <param name="record">The record.</param>
    /// <returns>Its bytes in this format.</returns>
    /// <exception cref="InvalidOperationException">The format cannot write.</exception>
    public byte[] Encode(in JsonRecord record)
    {
        var serializer = Serializer ?? throw new InvalidOperationException($"The format '{Name}' cannot write records.");
        if (_borrow is not null)
        {
            return record.Utf8.ToArray();
        }

        var buffer = new ArrayBufferWriter<byte>(256);
        serializer.Serialize(record, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <inheritdoc />
    public override string ToString() => Name;
}
