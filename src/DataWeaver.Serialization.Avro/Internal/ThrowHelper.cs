using System.Diagnostics.CodeAnalysis;

namespace DataWeaver.Serialization.Avro.Internal;

/// <summary>Throws out of the hot paths.</summary>
internal static class ThrowHelper
{
    public const string Format = "avro";

    [DoesNotReturn]
    public static void ThrowData(long offset, string reason) => throw new DeserializationException(Format, offset, reason);

    [DoesNotReturn]
    public static T ThrowData<T>(long offset, string reason) => throw new DeserializationException(Format, offset, reason);

    [DoesNotReturn]
    public static void ThrowEncoding(string path, string reason) => throw new Binary.AvroEncodingException(path, reason);
}
