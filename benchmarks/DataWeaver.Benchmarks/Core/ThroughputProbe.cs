using System.Diagnostics;

namespace DataWeaver.Benchmarks.Core;

/// <summary>
/// A quick check beside BenchmarkDotNet (<c>-- --probe</c>): runs each variant of
/// <see cref="PipelineThroughputBenchmarks"/> a few times in this process and prints time and allocated bytes
/// per record with fractions, which BenchmarkDotNet's Allocated column rounds to whole bytes.
/// </summary>
public static class ThroughputProbe
{
    public static async Task RunAsync(int runs = 5)
    {
        var benchmarks = new PipelineThroughputBenchmarks();
        benchmarks.Setup();
        (string Name, Func<Task<long>> Run)[] variants =
        [
            (nameof(benchmarks.NaiveDataflow), benchmarks.NaiveDataflow),
            (nameof(benchmarks.DataWeaverLambdas), benchmarks.DataWeaverLambdas),
            (nameof(benchmarks.DataWeaverStructOperators), benchmarks.DataWeaverStructOperators),
            (nameof(benchmarks.RawLoop), () => Task.FromResult(benchmarks.RawLoop())),
        ];

        Console.WriteLine($"{"Method",-28} {"run",3} {"ns/record",10} {"B/record",10} {"Gen0/1/2",10}");
        foreach (var (name, run) in variants)
        {
            for (var i = 0; i < runs; i++)
            {
                var gcs = (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));
                var before = GC.GetTotalAllocatedBytes(precise: true);
                var watch = Stopwatch.StartNew();
                _ = await run().ConfigureAwait(false);
                watch.Stop();
                var allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
                var records = (double)PipelineThroughputBenchmarks.RecordCount;
                Console.WriteLine(
                    $"{name,-28} {i,3} {watch.Elapsed.TotalNanoseconds / records,10:F2} {allocated / records,10:F4} " +
                    $"{GC.CollectionCount(0) - gcs.Item1}/{GC.CollectionCount(1) - gcs.Item2}/{GC.CollectionCount(2) - gcs.Item3}");
            }
        }

        benchmarks.Cleanup();
    }
}
