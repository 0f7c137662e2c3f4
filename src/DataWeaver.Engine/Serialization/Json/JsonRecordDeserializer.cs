using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// Decodes JSON values with System.Text.Json. Malformed JSON raises a <see cref="DeserializationException"/>
/// (a data error) with the byte offset of the problem.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class JsonRecordDeserializer<T> : IRecordDeserializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates a deserializer from type metadata, typically from a source-generated <c>JsonSerializerContext</c>.</summary>
    /// <param name="typeInfo">The type metadata.</param>
    public JsonRecordDeserializer(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <summary>Creates a deserializer from serializer options.</summary>
    /// <param name="options">The options; <see langword="null"/> uses <see cref="JsonSerializerOptions.Web"/>.</param>
    public JsonRecordDeserializer(JsonSerializerOptions? options = null)
        : this((JsonTypeInfo<T>)(options ?? JsonSerializerOptions.Web).GetTypeInfo(typeof(T)))
    {
    }

    /// <inheritdoc />
    public string Format => "json";

    /// <inheritdoc />
    public T Deserialize(ReadOnlySpan<byte> data)
    {
        try
        {
            return JsonSerializer.Deserialize(data, _typeInfo) ?? throw new DeserializationException("json", 0, "the value is null");
        }
        catch (JsonException exception)
        {
            throw new DeserializationException("json", exception.BytePositionInLine ?? 0, exception.Message, exception);
        }
    }

    /// <inheritdoc />
    public T Deserialize(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Deserialize(data.FirstSpan);
        }

        var reader = new Utf8JsonReader(data);
        try
        {
            return JsonSerializer.Deserialize(ref reader, _typeInfo) ?? throw new DeserializationException("json", 0, "the value is null");
        }
        catch (JsonException exception)
        {
            throw new DeserializationException("json", reader.BytesConsumed, exception.Message, exception);
        }
    }
}
