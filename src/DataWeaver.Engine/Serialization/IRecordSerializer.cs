using System.Buffers;

namespace DataWeaver.Serialization;

/// <summary>
/// Encodes values of <typeparamref name="T"/> into a buffer writer, typically backed by pooled memory.
/// Implementations MUST be thread-safe: one instance serves every worker of a stage.
/// </summary>
/// <typeparam name="T">The value type.</typeparam>
public interface IRecordSerializer<T>
{
    /// <summary>Gets the format name, e.g. <c>json</c>, <c>avro</c>, <c>protobuf</c>.</summary>
    string Format { get; }

    /// <summary>Writes <paramref name="value"/> to <paramref name="writer"/>.</summary>
    /// <param name="value">The value to encode.</param>
    /// <param name="writer">Where the bytes go.</param>
    void Serialize(in T value, IBufferWriter<byte> writer);
}
