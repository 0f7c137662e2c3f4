using System.Text.Json;
using DataWeaver.Serialization.Internal;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Serialization;

/// <summary>The built-in <see cref="ISerializerFactory"/> implementations, and a factory for a custom format of one type.</summary>
public static class SerializerFactories
{
    /// <summary>The name of the built-in JSON format: <c>json</c>.</summary>
    public const string JsonFormat = "json";

    /// <summary>The name of the built-in raw bytes format: <c>raw</c>.</summary>
    public const string RawFormat = "raw";

    /// <summary>The name of the built-in UTF-8 text format: <c>utf8</c>.</summary>
    public const string Utf8Format = "utf8";

    /// <summary>
    /// Gets the <c>raw</c> format: <c>byte[]</c>, <see cref="ReadOnlyMemory{T}"/> and <see cref="Memory{T}"/> of
    /// bytes, written as they are. Deserializing copies the bytes (the input is only valid during the call). No settings.
    /// </summary>
    public static ISerializerFactory Raw { get; } = new RawSerializerFactory();

    /// <summary>Gets the <c>utf8</c> format: <see cref="string"/> as UTF-8 without a byte order mark; invalid UTF-8 is a <see cref="DeserializationException"/>. No settings.</summary>
    public static ISerializerFactory Utf8 { get; } = new Utf8SerializerFactory();

    /// <summary>
    /// Creates a <c>json</c> format: <see cref="JsonRecord"/> (schema-less) and any type <paramref name="options"/> can
    /// resolve (pass the options of a source-generated <c>JsonSerializerContext</c> for reflection-free serialization;
    /// types it does not know are then refused). Setting <c>maxRecordBytes</c> overrides
    /// <see cref="JsonRecordOptions.MaxRecordBytes"/> per connector.
    /// </summary>
    /// <param name="options">The System.Text.Json options; <see langword="null"/> uses <see cref="JsonSerializerOptions.Web"/>.</param>
    /// <param name="recordOptions">Limits on decoded records; <see langword="null"/> uses <see cref="JsonRecordOptions.Default"/>.</param>
    /// <returns>The factory.</returns>
    public static ISerializerFactory Json(JsonSerializerOptions? options = null, JsonRecordOptions? recordOptions = null) =>
        new JsonSerializerFactory(options ?? JsonSerializerOptions.Web, recordOptions ?? JsonRecordOptions.Default);

    /// <summary>Creates a factory for a custom format of one value type, from thread-safe instances it hands out as they are.</summary>
    /// <typeparam name="T">The only value type the format handles.</typeparam>
    /// <param name="serializer">The serializer, or <see langword="null"/> when the format is read-only.</param>
    /// <param name="deserializer">The deserializer, or <see langword="null"/> when the format is write-only.</param>
    /// <returns>The factory. It ignores settings.</returns>
    public static ISerializerFactory ForType<T>(IRecordSerializer<T>? serializer, IRecordDeserializer<T>? deserializer)
    {
        if (serializer is null && deserializer is null)
        {
            throw new ArgumentException("Give a serializer, a deserializer or both.", nameof(serializer));
        }

        return new SingleTypeSerializerFactory<T>(serializer, deserializer);
    }
}
