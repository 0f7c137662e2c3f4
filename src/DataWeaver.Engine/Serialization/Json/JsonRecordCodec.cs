using System.Buffers;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// The <c>json</c> format for <see cref="JsonRecord"/>: serializing writes the record's bytes as they are;
/// deserializing validates the bytes and copies them into a record that owns them (the input is only valid during
/// the call). To wrap pooled bytes without copying, use <see cref="JsonRecord.Parse(ReadOnlyMemory{byte}, JsonRecordOptions?)"/>.
/// Thread-safe.
/// </summary>
public sealed class JsonRecordCodec : IRecordSerializer<JsonRecord>, IRecordDeserializer<JsonRecord>
{
    private readonly JsonRecordOptions _options;

    /// <summary>Creates the codec.</summary>
    /// <param name="options">The limits; <see langword="null"/> uses <see cref="JsonRecordOptions.Default"/> (1 MiB, depth 64).</param>
    public JsonRecordCodec(JsonRecordOptions? options = null) => _options = options ?? JsonRecordOptions.Default;

    /// <summary>Gets a codec with the default limits.</summary>
    public static JsonRecordCodec Default { get; } = new();

    /// <inheritdoc />
    public string Format => "json";

    /// <inheritdoc />
    /// <exception cref="ArgumentException"><paramref name="value"/> is the <see langword="default"/> record.</exception>
    public void Serialize(in JsonRecord value, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value.IsDefault)
        {
            throw new ArgumentException("The default JsonRecord has no JSON to write.", nameof(value));
        }

        writer.Write(value.Utf8.Span);
    }

    /// <inheritdoc />
    public JsonRecord Deserialize(ReadOnlySpan<byte> data)
    {
        JsonRecord.Validate(data, _options);
        return new JsonRecord(data.ToArray());
    }

    /// <inheritdoc />
    public JsonRecord Deserialize(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Deserialize(data.FirstSpan);
        }

        if (data.Length > _options.MaxRecordBytes)
        {
            throw Internal.JsonErrors.TooLarge(data.Length, _options.MaxRecordBytes);
        }

        var bytes = data.ToArray();
        JsonRecord.Validate(bytes, _options);
        return new JsonRecord(bytes);
    }
}
