using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DataWeaver.Buffers;
using DataWeaver.Serialization.Avro.Generic;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Benchmarks.Serialization;

/// <summary>
/// One 10-field <see cref="AvroTrade"/> (49 bytes) per operation with DataWeaver's Avro codec, no framing.
/// There is no Apache.Avro package here, so the baseline of each category is the generic codec
/// (<see cref="GenericRecord"/>) and the typed codec (a C# record) is measured against it. Encode writes into
/// a <see cref="PooledBufferWriter"/> reused and cleared per record. Records/s is 10^9 / Mean (ns).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class AvroSerializationBenchmarks
{
    private readonly AvroSerializer<GenericRecord> _genericSerializer = new(AvroTrade.Schema);
    private readonly AvroSerializer<AvroTrade> _typedSerializer = new(AvroTrade.Schema);
    private readonly AvroDeserializer<GenericRecord> _genericDeserializer = new(AvroTrade.Schema);
    private readonly AvroDeserializer<AvroTrade> _typedDeserializer = new(AvroTrade.Schema);
    private readonly GenericRecord _generic = AvroTrade.GenericSample;
    private readonly AvroTrade _typed = AvroTrade.Sample;
    private PooledBufferWriter _output = null!;
    private byte[] _encoded = [];

    [GlobalSetup]
    public void Setup()
    {
        _output = new PooledBufferWriter(4096);
        _typedSerializer.Serialize(_typed, _output);
        _encoded = _output.WrittenSpan.ToArray();
        _output.Clear();
        _genericSerializer.Serialize(_generic, _output);
        if (!_output.WrittenSpan.SequenceEqual(_encoded) || _typedDeserializer.Deserialize(_encoded) != _typed || _genericDeserializer.Deserialize(_encoded)["symbol"] as string != "MSFT")
        {
            throw new InvalidOperationException("The generic and typed Avro codecs disagree.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    public int EncodedSize => _encoded.Length;

    [Benchmark(Baseline = true, Description = "Encode: generic")]
    [BenchmarkCategory("Encode")]
    public int Encode_Generic()
    {
        _output.Clear();
        _genericSerializer.Serialize(_generic, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "Encode: typed")]
    [BenchmarkCategory("Encode")]
    public int Encode_Typed()
    {
        _output.Clear();
        _typedSerializer.Serialize(_typed, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Baseline = true, Description = "Decode: generic")]
    [BenchmarkCategory("Decode")]
    public GenericRecord Decode_Generic() => _genericDeserializer.Deserialize(_encoded);

    [Benchmark(Description = "Decode: typed")]
    [BenchmarkCategory("Decode")]
    public AvroTrade Decode_Typed() => _typedDeserializer.Deserialize(_encoded);
}
