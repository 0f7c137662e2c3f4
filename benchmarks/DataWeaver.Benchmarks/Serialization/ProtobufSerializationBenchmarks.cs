using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DataWeaver.Benchmarks.Serialization.Messages;
using DataWeaver.Buffers;
using DataWeaver.Serialization.Protobuf.Serializers;
using Google.Protobuf;

namespace DataWeaver.Benchmarks.Serialization;

/// <summary>
/// One <see cref="ProtoTrade"/> (13 fields, about 100 bytes) per operation, no framing. Encode: DataWeaver's
/// <see cref="ProtobufSerializer{T}"/> into a <see cref="PooledBufferWriter"/> (reused, cleared per record) against
/// Google.Protobuf's <c>ToByteArray</c> (baseline). Decode: <see cref="ProtobufDeserializer{T}"/> against
/// <c>MessageParser.ParseFrom(byte[])</c> (baseline).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ProtobufSerializationBenchmarks
{
    private readonly ProtoTrade _trade = Sample();
    private readonly ProtobufSerializer<ProtoTrade> _serializer = new();
    private readonly ProtobufDeserializer<ProtoTrade> _deserializer = new();
    private PooledBufferWriter _output = null!;
    private byte[] _encoded = [];

    public int EncodedSize => _encoded.Length;

    public static ProtoTrade Sample() => new()
    {
        Id = 123_456_789,
        Symbol = "MSFT",
        Price = 412.37,
        Quantity = 250,
        IsBuy = true,
        TimestampMicros = 1_736_937_000_000_000,
        Venue = "XNAS",
        Side = ProtoSide.Sell,
        Fee = 0.25f,
        Note = "block",
        OrderId = "ORD-2025-01-15-000123456",
        Account = "ACC-0042-EU",
        PnlCents = -123_456,
    };

    [GlobalSetup]
    public void Setup()
    {
        _output = new PooledBufferWriter(4096);
        _encoded = _trade.ToByteArray();
        _serializer.Serialize(_trade, _output);
        if (!_output.WrittenSpan.SequenceEqual(_encoded) || !_deserializer.Deserialize(_encoded).Equals(_trade))
        {
            throw new InvalidOperationException("The DataWeaver Protobuf codec and Google.Protobuf disagree.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark(Baseline = true, Description = "Encode: ToByteArray")]
    [BenchmarkCategory("Encode")]
    public int Encode_ToByteArray() => _trade.ToByteArray().Length;

    [Benchmark(Description = "Encode: ProtobufSerializer -> pooled writer")]
    [BenchmarkCategory("Encode")]
    public int Encode_ProtobufSerializer()
    {
        _output.Clear();
        _serializer.Serialize(_trade, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Baseline = true, Description = "Decode: ParseFrom(byte[])")]
    [BenchmarkCategory("Decode")]
    public ProtoTrade Decode_ParseFrom() => ProtoTrade.Parser.ParseFrom(_encoded);

    [Benchmark(Description = "Decode: ProtobufDeserializer")]
    [BenchmarkCategory("Decode")]
    public ProtoTrade Decode_ProtobufDeserializer() => _deserializer.Deserialize(_encoded);
}
