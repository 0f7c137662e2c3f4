using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace DataWeaver.Serialization.SchemaRegistry.Internal;

/// <summary>Writes values with System.Text.Json honouring the options' <see cref="JsonSerializerOptions.Encoder"/> and
/// indentation (a <see cref="Utf8JsonWriter"/> takes them from its own writer options, not from the serializer options).</summary>
internal sealed class EncoderAwareJsonSerializer<T>(JsonSerializerOptions options) : IRecordSerializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
    private readonly JsonWriterOptions _writerOptions = new() { Encoder = options.Encoder, Indented = options.WriteIndented, MaxDepth = options.MaxDepth };

    public string Format => "json";

    public void Serialize(in T value, IBufferWriter<byte> writer)
    {
        using var json = new Utf8JsonWriter(writer, _writerOptions);
        JsonSerializer.Serialize(json, value, _typeInfo);
    }
}
