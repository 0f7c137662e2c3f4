using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// Encodes values as JSON with System.Text.Json, straight into the caller's buffer. Pass a source-generated
/// <see cref="JsonTypeInfo{T}"/> for reflection-free, trimming-safe serialization.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class JsonRecordSerializer<T> : IRecordSerializer<T>
{
    [ThreadStatic]
    private static Utf8JsonWriter? t_writer;

    private readonly JsonTypeInfo<T> _typeInfo;

    /// <summary>Creates a serializer from type metadata, typically from a source-generated <c>JsonSerializerContext</c>.</summary>
    /// <param name="typeInfo">The type metadata.</param>
    public JsonRecordSerializer(JsonTypeInfo<T> typeInfo)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        _typeInfo = typeInfo;
    }

    /// <summary>Creates a serializer from serializer options (reflection-based unless the options carry a source-generated resolver).</summary>
    /// <param name="options">The options; <see langword="null"/> uses <see cref="JsonSerializerOptions.Web"/>.</param>
    public JsonRecordSerializer(JsonSerializerOptions? options = null)
        : this((JsonTypeInfo<T>)(options ?? JsonSerializerOptions.Web).GetTypeInfo(typeof(T)))
    {
    }

    /// <inheritdoc />
    public string Format => "json";

    /// <inheritdoc />
    public void Serialize(in T value, IBufferWriter<byte> writer)
    {
        var json = t_writer;
        if (json is null)
        {
            json = new Utf8JsonWriter(writer);
            t_writer = json;
        }
        else
        {
            json.Reset(writer);
        }

        JsonSerializer.Serialize(json, value, _typeInfo);
        json.Flush();
        json.Reset();
    }
}
