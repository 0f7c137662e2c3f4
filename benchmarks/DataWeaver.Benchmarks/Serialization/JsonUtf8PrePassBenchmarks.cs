using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Benchmarks.Serialization;

/// <summary>
/// What the UTF-8 guarantee of <see cref="JsonRecordDeserializer{T}"/> costs on the 115-byte <see cref="Trade"/>:
/// the scans alone (<c>Utf8.IsValid</c>, <c>Ascii.IsValid</c>), System.Text.Json with each of them, and both decoders.
/// Run it alone: <c>-- --filter '*JsonUtf8PrePass*'</c>.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class JsonUtf8PrePassBenchmarks
{
    private readonly JsonRecordDeserializer<Trade> _deserializer = new(BenchmarkJsonContext.Default.Trade);
    private byte[] _encoded = [];

    [GlobalSetup]
    public void Setup() => _encoded = JsonSerializer.SerializeToUtf8Bytes(Trade.Sample, BenchmarkJsonContext.Default.Trade);

    [Benchmark(Description = "Utf8.IsValid (115 B)")]
    public bool Utf8IsValid() => System.Text.Unicode.Utf8.IsValid(_encoded);

    [Benchmark(Description = "Ascii.IsValid (115 B)")]
    public bool AsciiIsValid() => Ascii.IsValid(_encoded);

    [Benchmark(Baseline = true, Description = "JsonSerializer.Deserialize(byte[])")]
    public Trade? Deserialize() => JsonSerializer.Deserialize(_encoded, BenchmarkJsonContext.Default.Trade);

    [Benchmark(Description = "Utf8.IsValid + Deserialize (the former path)")]
    public Trade? ValidateThenDeserialize() =>
        System.Text.Unicode.Utf8.IsValid(_encoded) ? JsonSerializer.Deserialize(_encoded, BenchmarkJsonContext.Default.Trade) : null;

    [Benchmark(Description = "Deserialize + Ascii.IsValid (the new happy path)")]
    public Trade? DeserializeThenAsciiCheck()
    {
        var trade = JsonSerializer.Deserialize(_encoded, BenchmarkJsonContext.Default.Trade);
        return Ascii.IsValid(_encoded) ? trade : null;
    }

    [Benchmark(Description = "JsonRecordDeserializer")]
    public Trade JsonRecordDeserializer() => _deserializer.Deserialize(_encoded);
}
