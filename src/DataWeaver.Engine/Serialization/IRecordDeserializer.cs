using System.Buffers;

namespace DataWeaver.Serialization;

/// <summary>
/// Decodes values of <typeparamref name="T"/> from bytes. Bad input raises a
/// <see cref="DeserializationException"/> (a data error) naming the format, the byte offset and the reason;
/// it never crashes the process and never hangs. Implementations MUST be thread-safe.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public interface IRecordDeserializer<T>
{
    /// <summary>Gets the format name, e.g. <c>json</c>, <c>avro</c>, <c>protobuf</c>.</summary>
    string Format { get; }

    /// <summary>Decodes one value from a contiguous span.</summary>
    /// <param name="data">The encoded bytes of exactly one value.</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="DeserializationException">The bytes are not a valid encoding.</exception>
    T Deserialize(ReadOnlySpan<byte> data);

    /// <summary>Decodes one value from a possibly segmented sequence.</summary>
    /// <param name="data">The encoded bytes of exactly one value.</param>
    /// <returns>The decoded value.</returns>
    /// <exception cref="DeserializationException">The bytes are not a valid encoding.</exception>
    T Deserialize(in ReadOnlySequence<byte> data);
}
