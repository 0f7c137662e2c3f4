using System.Buffers;

namespace DataWeaver.Serialization.Internal;

/// <summary>The <c>raw</c> format: bytes as they are.</summary>
internal sealed class RawSerializerFactory : ISerializerFactory
{
    public string SupportedTypes => "byte[], ReadOnlyMemory<byte>, Memory<byte>";

    public IRecordSerializer<T>? CreateSerializer<T>(SerializerRequest request)
    {
        Settings.ThrowIfUnknown<T>(request);
        return RawCodec.Instance as IRecordSerializer<T>;
    }

    public IRecordDeserializer<T>? CreateDeserializer<T>(SerializerRequest request)
    {
        Settings.ThrowIfUnknown<T>(request);
        return RawCodec.Instance as IRecordDeserializer<T>;
    }
}

/// <summary>Copies bytes in and out. Stateless.</summary>
internal sealed class RawCodec :
    IRecordSerializer<byte[]>, IRecordDeserializer<byte[]>,
    IRecordSerializer<ReadOnlyMemory<byte>>, IRecordDeserializer<ReadOnlyMemory<byte>>,
    IRecordSerializer<Memory<byte>>, IRecordDeserializer<Memory<byte>>
{
    public static readonly RawCodec Instance = new();

    public string Format => SerializerFactories.RawFormat;

    public void Serialize(in byte[] value, IBufferWriter<byte> writer) => writer.Write(value);

    public void Serialize(in ReadOnlyMemory<byte> value, IBufferWriter<byte> writer) => writer.Write(value.Span);

    public void Serialize(in Memory<byte> value, IBufferWriter<byte> writer) => writer.Write(value.Span);

    byte[] IRecordDeserializer<byte[]>.Deserialize(ReadOnlySpan<byte> data) => data.ToArray();

    byte[] IRecordDeserializer<byte[]>.Deserialize(in ReadOnlySequence<byte> data) => data.ToArray();

    ReadOnlyMemory<byte> IRecordDeserializer<ReadOnlyMemory<byte>>.Deserialize(ReadOnlySpan<byte> data) => data.ToArray();

    ReadOnlyMemory<byte> IRecordDeserializer<ReadOnlyMemory<byte>>.Deserialize(in ReadOnlySequence<byte> data) => data.ToArray();

    Memory<byte> IRecordDeserializer<Memory<byte>>.Deserialize(ReadOnlySpan<byte> data) => data.ToArray();

    Memory<byte> IRecordDeserializer<Memory<byte>>.Deserialize(in ReadOnlySequence<byte> data) => data.ToArray();
}
