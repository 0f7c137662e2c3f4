using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Serialization.Internal;

/// <summary>The <c>json</c> format: <see cref="JsonRecord"/>, and typed values through System.Text.Json.</summary>
internal sealed class JsonSerializerFactory(JsonSerializerOptions options, JsonRecordOptions recordOptions) : ISerializerFactory
{
    private const string MaxRecordBytesSetting = "maxRecordBytes";

    public string SupportedTypes => "JsonRecord and the types its JsonSerializerOptions resolve";

    public IRecordSerializer<T>? CreateSerializer<T>(SerializerRequest request)
    {
        Settings.ThrowIfUnknown<T>(request, MaxRecordBytesSetting);
        if (typeof(T) == typeof(JsonRecord))
        {
            return (IRecordSerializer<T>)(object)JsonRecordCodec.Default;
        }

        return TryGetTypeInfo<T>(out var typeInfo) ? new JsonRecordSerializer<T>(typeInfo) : null;
    }

    public IRecordDeserializer<T>? CreateDeserializer<T>(SerializerRequest request)
    {
        Settings.ThrowIfUnknown<T>(request, MaxRecordBytesSetting);
        var maxRecordBytes = Settings.GetInt32<T>(request, MaxRecordBytesSetting, recordOptions.MaxRecordBytes, 1, int.MaxValue);
        if (typeof(T) == typeof(JsonRecord))
        {
            var codec = maxRecordBytes == JsonRecordOptions.DefaultMaxRecordBytes && recordOptions.MaxDepth == JsonRecordOptions.DefaultMaxDepth
                ? JsonRecordCodec.Default
                : new JsonRecordCodec(new JsonRecordOptions { MaxRecordBytes = maxRecordBytes, MaxDepth = recordOptions.MaxDepth });
            return (IRecordDeserializer<T>)(object)codec;
        }

        return TryGetTypeInfo<T>(out var typeInfo) ? new JsonRecordDeserializer<T>(typeInfo, maxRecordBytes) : null;
    }

    private bool TryGetTypeInfo<T>([System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out JsonTypeInfo<T>? typeInfo)
    {
        typeInfo = null;
        try
        {
            if (options.TryGetTypeInfo(typeof(T), out var info) && info is JsonTypeInfo<T> typed)
            {
                typeInfo = typed;
            }
        }
        catch (NotSupportedException)
        {
            // The resolver knows the type but cannot handle it (e.g. a type without a usable converter): not this format's type.
        }
        catch (InvalidOperationException)
        {
            // The options have no resolver able to produce metadata: same answer.
        }

        return typeInfo is not null;
    }
}
