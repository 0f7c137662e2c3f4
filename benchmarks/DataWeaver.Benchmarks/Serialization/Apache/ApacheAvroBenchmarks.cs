using Avro.IO;
using Avro.Specific;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using DataWeaver.Buffers;
using DataWeaver.Serialization.Avro.Apache.Serializers;
using DataWeaver.Serialization.Avro.Serializers;

namespace DataWeaver.Benchmarks.Serialization.Apache;

/// <summary>
/// The 10-field trade record (49 bytes) per operation: Apache.Avro 1.12.2's <c>SpecificDatumWriter</c>/<c>SpecificDatumReader</c>
/// on the class Avro.CodeGen generates from the same schema (<see cref="ApacheTrade"/>) as the Baseline of each category,
/// against DataWeaver's codec on a C# record (<see cref="AvroTrade"/>) and on Apache's generated class
/// (<see cref="ApacheAvroSerializer{T}"/>). All three write the same bytes (checked in setup). Apache encodes into a
/// <see cref="MemoryStream"/> rewound per record, DataWeaver into a <see cref="PooledBufferWriter"/> cleared per record.
/// Records/s is 10^9 / Mean (ns).
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class ApacheAvroBenchmarks
{
    private readonly SpecificDatumWriter<ApacheTrade> _apacheWriter = new(ApacheTrade._SCHEMA);
    private readonly SpecificDatumReader<ApacheTrade> _apacheReader = new(ApacheTrade._SCHEMA, ApacheTrade._SCHEMA);
    private readonly AvroSerializer<AvroTrade> _typedSerializer = new(AvroTrade.Schema);
    private readonly AvroDeserializer<AvroTrade> _typedDeserializer = new(AvroTrade.Schema);
    private readonly ApacheAvroSerializer<ApacheTrade> _specificSerializer = new();
    private readonly ApacheAvroDeserializer<ApacheTrade> _specificDeserializer = new();
    private readonly ApacheTrade _apacheTrade = ApacheTradeSample();
    private readonly AvroTrade _typed = AvroTrade.Sample;
    private readonly MemoryStream _stream = new(256);
    private BinaryEncoder _encoder = null!;
    private PooledBufferWriter _output = null!;
    private byte[] _encoded = [];

    [GlobalSetup]
    public void Setup()
    {
        _encoder = new BinaryEncoder(_stream);
        _output = new PooledBufferWriter(4096);
        _typedSerializer.Serialize(_typed, _output);
        _encoded = _output.WrittenSpan.ToArray();
        _output.Clear();
        _specificSerializer.Serialize(_apacheTrade, _output);
        var specific = _output.WrittenSpan.ToArray();
        Encode_ApacheSpecific();
        var apache = _stream.ToArray();
        if (!specific.AsSpan().SequenceEqual(_encoded) || !apache.AsSpan().SequenceEqual(_encoded)
            || Decode_ApacheSpecific().symbol != "MSFT" || Decode_DataWeaverTyped() != _typed || Decode_DataWeaverOnApacheClass().note != "block")
        {
            throw new InvalidOperationException("Apache.Avro and DataWeaver disagree on the trade record.");
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _output.Dispose();

    [Benchmark(Baseline = true, Description = "Encode: Apache.Avro SpecificDatumWriter")]
    [BenchmarkCategory("Encode")]
    public long Encode_ApacheSpecific()
    {
        _stream.Position = 0;
        _stream.SetLength(0);
        _apacheWriter.Write(_apacheTrade, _encoder);
        _encoder.Flush();
        return _stream.Length;
    }

    [Benchmark(Description = "Encode: DataWeaver typed (C# record)")]
    [BenchmarkCategory("Encode")]
    public int Encode_DataWeaverTyped()
    {
        _output.Clear();
        _typedSerializer.Serialize(_typed, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Description = "Encode: DataWeaver on the generated class")]
    [BenchmarkCategory("Encode")]
    public int Encode_DataWeaverOnApacheClass()
    {
        _output.Clear();
        _specificSerializer.Serialize(_apacheTrade, _output);
        return _output.WrittenCount;
    }

    [Benchmark(Baseline = true, Description = "Decode: Apache.Avro SpecificDatumReader")]
    [BenchmarkCategory("Decode")]
    public ApacheTrade Decode_ApacheSpecific()
    {
        using var stream = new MemoryStream(_encoded, writable: false);
        return _apacheReader.Read(null!, new BinaryDecoder(stream));
    }

    [Benchmark(Description = "Decode: DataWeaver typed (C# record)")]
    [BenchmarkCategory("Decode")]
    public AvroTrade Decode_DataWeaverTyped() => _typedDeserializer.Deserialize(_encoded);

    [Benchmark(Description = "Decode: DataWeaver on the generated class")]
    [BenchmarkCategory("Decode")]
    public ApacheTrade Decode_DataWeaverOnApacheClass() => _specificDeserializer.Deserialize(_encoded);

    /// <summary>
    /// A load-tolerant check of the ratios: the six operations interleaved, 1,000 rounds of 2,000 each, the fastest round of
    /// each kept (a busy machine slows rounds, it never speeds them up). Prints ns per record, the ratio to Apache.Avro and the bytes allocated per record.
    /// </summary>
    /// <param name="output">Where the lines go.</param>
    public static void RunProbe(TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(output);
        var b = new ApacheAvroBenchmarks();
        b.Setup();
        var ops = new (string Name, Action Op)[]
        {
            ("Encode: Apache.Avro", () => b.Encode_ApacheSpecific()),
            ("Encode: DataWeaver typed", () => b.Encode_DataWeaverTyped()),
            ("Encode: DataWeaver generated class", () => b.Encode_DataWeaverOnApacheClass()),
            ("Decode: Apache.Avro", () => b.Decode_ApacheSpecific()),
            ("Decode: DataWeaver typed", () => b.Decode_DataWeaverTyped()),
            ("Decode: DataWeaver generated class", () => b.Decode_DataWeaverOnApacheClass()),
        };
        var best = Enumerable.Repeat(double.MaxValue, ops.Length).ToArray();
        const int PerRound = 2_000;
        for (var round = 0; round < 1_000; round++)
        {
            for (var i = 0; i < ops.Length; i++)
            {
                var op = ops[i].Op;
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                for (var k = 0; k < PerRound; k++)
                {
                    op();
                }

                best[i] = Math.Min(best[i], System.Diagnostics.Stopwatch.GetElapsedTime(start).TotalNanoseconds / PerRound);
            }
        }

        for (var i = 0; i < ops.Length; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var k = 0; k < PerRound; k++)
            {
                ops[i].Op();
            }

            var allocated = (GC.GetAllocatedBytesForCurrentThread() - before) / (double)PerRound;
            output.WriteLine($"{ops[i].Name,-36} {best[i],8:F1} ns  {best[i < 3 ? 0 : 3] / best[i]:F2}x Apache.Avro's records/s  {allocated,5:F0} B allocated");
        }

        b.Cleanup();
    }

    private static ApacheTrade ApacheTradeSample()
    {
        var s = AvroTrade.Sample;
        return new ApacheTrade
        {
            id = s.Id,
            quantity = s.Quantity,
            price = s.Price,
            fee = s.Fee,
            isBuy = s.IsBuy,
            symbol = s.Symbol,
            venue = s.Venue,
            timestampMicros = s.TimestampMicros,
            side = ApacheSide.Buy,
            note = s.Note,
        };
    }
}
