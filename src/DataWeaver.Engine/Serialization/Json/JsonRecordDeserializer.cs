using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using DataWeaver.Serialization.Internal;

namespace DataWeaver.Serialization.Json;

/// <summary>
/// Decodes JSON values with System.Text.Json. Bad input (malformed or truncated JSON, invalid UTF-8, a value of the
/// wrong shape, a <c>null</c> value, a record above the maximum size) raises a <see cref="DeserializationException"/>
/// (a data error) with the absolute byte offset of the problem within the record.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public sealed class JsonRecordDeserializer<T> : IRecordDeserializer<T>
{
    private readonly JsonTypeInfo<T> _typeInfo;
    private readonly int _maxRecordBytes;

    /// <summary>Creates a deserializer from type metadata, typically from a source-generated <c>JsonSerializerContext</c>.</summary>
    /// <param name="typeInfo">The type metadata.</param>
    /// <param name="maxRecordBytes">The largest record accepted, in bytes; the default is 1 MiB (<see cref="JsonRecordOptions.DefaultMaxRecordBytes"/>), at least 1.</param>
    public JsonRecordDeserializer(JsonTypeInfo<T> typeInfo, int maxRecordBytes = JsonRecordOptions.DefaultMaxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(typeInfo);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxRecordBytes, 1);
        _typeInfo = typeInfo;
        _maxRecordBytes = maxRecordBytes;
    }

    /// <summary>Creates a deserializer from serializer options.</summary>
    /// <param name="options">The options; <see langword="null"/> uses <see cref="JsonSerializerOptions.Web"/>.</param>
    /// <param name="maxRecordBytes">The largest record accepted, in bytes; the default is 1 MiB, at least 1.</param>
    public JsonRecordDeserializer(JsonSerializerOptions? options = null, int maxRecordBytes = JsonRecordOptions.DefaultMaxRecordBytes)
        : this((JsonTypeInfo<T>)(options ?? JsonSerializerOptions.Web).GetTypeInfo(typeof(T)), maxRecordBytes)
    {
    }

    /// <inheritdoc />
    public string Format => "json";

    /// <inheritdoc />
    public T Deserialize(ReadOnlySpan<byte> data)
    {
        if (data.Length > _maxRecordBytes)
        {
            throw JsonErrors.TooLarge(data.Length, _maxRecordBytes);
        }

        // System.Text.Json rejects bytes of 0x80 and above outside strings, and invalid UTF-8 in the strings it
        // transcodes, but not in those it compares or skips as bytes (property names, ignored values). So UTF-8 is
        // checked only where it can matter: after a failure (invalid UTF-8 is then the error reported) and after a
        // success on input that is not plain ASCII. ASCII input, almost every record, is valid UTF-8 by itself:
        // its check is one vectorized pass, cheaper than a full UTF-8 validation.
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(data, _typeInfo);
        }
        catch (JsonException exception)
        {
            throw JsonErrors.FromDecode(data, exception);
        }
        catch (Exception exception) when (!System.Text.Unicode.Utf8.IsValid(data))
        {
            // Any other failure on invalid UTF-8 (for example from a custom converter) is the data's fault.
            throw JsonErrors.InvalidUtf8(data, exception);
        }

        if (!System.Text.Ascii.IsValid(data) && !System.Text.Unicode.Utf8.IsValid(data))
        {
            throw JsonErrors.InvalidUtf8(data);
        }

        return value ?? throw NullValue(data);
    }

    /// <inheritdoc />
    public T Deserialize(in ReadOnlySequence<byte> data)
    {
        if (data.IsSingleSegment)
        {
            return Deserialize(data.FirstSpan);
        }

        if (data.Length > _maxRecordBytes)
        {
            throw JsonErrors.TooLarge(data.Length, _maxRecordBytes);
        }

        // Segmented records are rare (line sources cut contiguous records) and bounded by the maximum size: decode a
        // pooled contiguous copy, so validation, trailing-data checks and error offsets are the span path's.
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

    private static DeserializationException NullValue(ReadOnlySpan<byte> data)
    {
        var start = data.Length - data.TrimStart(" \t\r\n"u8).Length;
        return new DeserializationException(JsonErrors.Format, start, $"the value is null, expected {Internal.TypeNames.Of(typeof(T))}");
    }
}
