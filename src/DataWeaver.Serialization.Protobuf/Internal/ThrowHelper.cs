using System.Diagnostics.CodeAnalysis;

namespace DataWeaver.Serialization.Protobuf.Internal;

/// <summary>Throws out of the hot paths.</summary>
internal static class ThrowHelper
{
    public const string Format = "protobuf";

    [DoesNotReturn]
    public static void ThrowData(long offset, string reason) => throw new DeserializationException(Format, offset, reason);

    [DoesNotReturn]
    public static T ThrowData<T>(long offset, string reason) => throw new DeserializationException(Format, offset, reason);

    [DoesNotReturn]
    public static T ThrowData<T>(long offset, string reason, Exception innerException) =>
        throw new DeserializationException(Format, offset, reason, innerException);
}
