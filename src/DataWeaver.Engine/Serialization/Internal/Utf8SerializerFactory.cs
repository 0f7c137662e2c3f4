using System.Buffers;
using System.Text;

namespace DataWeaver.Serialization.Internal;

/// <summary>The <c>utf8</c> format: strings as UTF-8.</summary>
internal sealed class Utf8SerializerFactory : ISerializerFactory
{
    public string SupportedTypes => "string";

    public IRecordSerializer<T>? CreateSerializer<T>(SerializerRequest request)
    {
        Settings.ThrowIfUnknown<T>(request);
        return Utf8Codec.Instance as IRecordSerializer<T>;
    }

    public IRecordDeserializer<T>? CreateDeserializer<T>(SerializerRequest request)
    {
        Settings.ThrowIfUnknown<T>(request);
        return Utf8Codec.Instance as IRecordDeserializer<T>;
    }
}

/// <summary>Strings to and from UTF-8; invalid UTF-8 is a data error naming the first bad byte. Stateless.</summary>
internal sealed class Utf8Codec : IRecordSerializer<string>, IRecordDeserializer<string>
{
    public static readonly Utf8Codec Instance = new();

    public string Format => SerializerFactories.Utf8Format;

    public void Serialize(in string value, IBufferWriter<byte> writer)
    {
        ArgumentNullException.ThrowIfNull(value);
        Encoding.UTF8.GetBytes(value.AsSpan(), writer);
    }

    public string Deserialize(ReadOnlySpan<byte> data)
    {
        if (!System.Text.Unicode.Utf8.IsValid(data))
        {
            ThrowInvalid(data);
        }

        return Encoding.UTF8.GetString(data);
    }

    public string Deserialize(in ReadOnlySequence<byte> data) =>
        data.IsSingleSegment ? Deserialize(data.FirstSpan) : Deserialize(data.ToArray());

    private static void ThrowInvalid(ReadOnlySpan<byte> data) =>
        throw new DeserializationException(SerializerFactories.Utf8Format, Utf8Errors.IndexOfInvalid(data), "invalid UTF-8");
}

/// <summary>Finds the first byte that is not part of a valid UTF-8 sequence. Error path only.</summary>
internal static class Utf8Errors
{
    public static int IndexOfInvalid(ReadOnlySpan<byte> data)
    {
        var offset = 0;
        while (offset < data.Length)
        {
            if (Rune.DecodeFromUtf8(data[offset..], out _, out var consumed) != OperationStatus.Done)
            {
                return offset;
            }

            offset += consumed;
        }

        return -1;
    }
}
