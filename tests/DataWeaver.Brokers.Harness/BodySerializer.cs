using System.Buffers;
using DataWeaver.Records;
using DataWeaver.Serialization;

namespace DataWeaver.Brokers.Harness;

/// <summary>Writes a message's body as it is (the tests publish one JSON object per message, so each becomes one line).</summary>
internal sealed class BodySerializer : IRecordSerializer<Record<ReadOnlyMemory<byte>>>
{
    public string Format => "raw";

    public void Serialize(in Record<ReadOnlyMemory<byte>> value, IBufferWriter<byte> writer) => writer.Write(value.Value.Span);
}
