using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DataWeaver.Buffers;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Benchmarks.Serialization;

/// <summary>
/// One 115-byte <see cref="Trade"/> per operation, all with the same source-generated metadata. Encode:
/// DataWeaver's <see cref="JsonRecordSerializer{T}"/> into a <see cref="PooledBufferWriter"/> (reused, cleared
/// per record) against <see cref="JsonSerializer.SerializeToUtf8Bytes{TValue}(TValue, System.Text.Json.Serialization.Metadata.JsonTypeInfo{TValue})"/>
/// (baseline). Decode: <see cref="JsonRecordDeserializer{T}"/> against <c>JsonSerializer.Deserialize(byte[])</c> (baseline).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class JsonSerializationBenchmarks
{
    private readonly Trade _trade = Trade.Sample;
    private readonly JsonRecordSerializer<Trade> _serializer = new(BenchmarkJsonContext.Default.Trade);
    private readonly JsonRecordDeserializer<Trade> _deserializer = new(BenchmarkJsonContext.Default.Trade);
    private PooledBufferWriter _output = null!;
    private byte[] _encoded = [];

    [GlobalSetup]
    public void Setup()
    {
        _output = new PooledBufferWriter(4096);
        _encoded = JsonSerializer.SerializeToUtf8Bytes(_trade, BenchmarkJsonContext.Default.Trade);
        _serializer.Serialize(_trade, _output);
        if (!_output.WrittenSpan.SequenceEqual(_encoded) || _deserializer.Deserialize(_encoded) != _trade)
        {
            throw new InvalidOperationException("The DataWeaver JSON codec and System.Text.Json disagree.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    public int EncodedSize => _encoded.Length;

    [Benchmark(Baseline = true, Description = "Encode: SerializeToUtf8Bytes")]
    [BenchmarkCategory("Encode")]
    public int Encode_SerializeToUtf8Bytes() => JsonSerializer.SerializeToUtf8Bytes(_trade, BenchmarkJsonContext.Default.Trade).Length;

    [Benchmark(Description = "Encode: JsonRecordSerializer -> pooled writer")]
    [BenchmarkCategory("Encode")]
    public int Encode_JsonRecordSerializer()
    {
        _output.Clear();
        _serializer.Serialize(_trade, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Baseline = true, Description = "Decode: JsonSerializer.Deserialize(byte[])")]
    [BenchmarkCategory("Decode")]
    public Trade? Decode_Deserialize() => JsonSerializer.Deserialize(_encoded, BenchmarkJsonContext.Default.Trade);

    [Benchmark(Description = "Decode: JsonRecordDeserializer")]
    [BenchmarkCategory("Decode")]
    public Trade Decode_JsonRecordDeserializer() => _deserializer.Deserialize(_encoded);
}
