using System.Diagnostics;

namespace DataWeaver.Benchmarks.Serialization;

/// <summary>
/// A quick check beside BenchmarkDotNet (<c>-- --probe-serialization</c>): runs every serialization benchmark
/// method 2,000,000 times in this process, five times over, and prints time, records/s and
/// <c>GC.GetTotalAllocatedBytes(precise: true)</c> per record with fractions.
/// </summary>
public static class SerializationProbe
{
    public static void Run(int records = 2_000_000, int runs = 5)
    {
        var json = new JsonSerializationBenchmarks();
        json.Setup();
        var avro = new AvroSerializationBenchmarks();
        avro.Setup();
        (string Name, Func<int, long> Run)[] variants =
        [
            ("JSON encode: SerializeToUtf8Bytes", n => Loop(n, () => json.Encode_SerializeToUtf8Bytes())),
            ("JSON encode: JsonRecordSerializer", n => Loop(n, json.Encode_JsonRecordSerializer)),
            ("JSON decode: Deserialize(byte[])", n => Loop(n, () => json.Decode_Deserialize()!.Quantity)),
            ("JSON decode: JsonRecordDeserializer", n => Loop(n, () => json.Decode_JsonRecordDeserializer().Quantity)),
            ("Avro encode: generic", n => Loop(n, avro.Encode_Generic)),
            ("Avro encode: typed", n => Loop(n, avro.Encode_Typed)),
            ("Avro decode: generic", n => Loop(n, () => avro.Decode_Generic().Schema.Fields.Count)),
            ("Avro decode: typed", n => Loop(n, () => avro.Decode_Typed().Quantity)),
        ];

        Measure(variants, records, runs);

        json.Cleanup();
        avro.Cleanup();
    }

    /// <summary>Runs each variant once to warm up, then <paramref name="runs"/> times, printing time, records/s and bytes per record.</summary>
    internal static void Measure((string Name, Func<int, long> Run)[] variants, int records, int runs)
    {
        Console.WriteLine($"{"Method",-38} {"run",3} {"ns/record",10} {"records/s",12} {"B/record",10}");
        foreach (var (name, run) in variants)
        {
            run(records / 10);
            for (var i = 0; i < runs; i++)
            {
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var watch = Stopwatch.StartNew();
                _ = run(records);
                watch.Stop();
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                Console.WriteLine($"{name,-38} {i,3} {watch.Elapsed.TotalNanoseconds / records,10:F1} {records / watch.Elapsed.TotalSeconds,12:N0} {allocated / (double)records,10:F3}");
            }
        }
    }

    /// <summary>Calls <paramref name="body"/> <paramref name="records"/> times, summing its results so the work is not dead.</summary>
    internal static long Loop(int records, Func<int> body)
    {
        long sum = 0;
        for (var i = 0; i < records; i++)
        {
            sum += body();
        }

        return sum;
    }
}
