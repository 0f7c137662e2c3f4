using DataWeaver.Records;

namespace DataWeaver.Configuration.Internal.Connectors;

/// <summary>Payload records of a sink of messages: the encoded record, keyed by a field.</summary>
internal static class PayloadRecords
{
    public static Record<ReadOnlyMemory<byte>> Create(ReadOnlyMemory<byte> key, byte[] value) => new(key, value, null, default, default);
}
