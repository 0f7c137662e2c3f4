using System.Diagnostics;
using System.Globalization;

namespace DataWeaver.Benchmarks.Stateful;

/// <summary>
/// The window count benchmark as interleaved rounds, reporting wall time and the process's CPU time per peer (CPU time
/// is steadier than wall time on a loaded shared machine). Run:
///   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --probe-window [rounds] [--akka]
/// </summary>
internal static class WindowCountProbe
{
    public static async Task RunAsync(int rounds, bool akka)
    {
        var bench = new WindowCountBenchmarks();
        bench.Setup();
        try
        {
            List<(string Name, double Wall, double Cpu)> all = [];
            for (var round = 0; round < rounds; round++)
            {
                all.Add(await MeasureAsync("DictionaryLoop", () => Task.FromResult(bench.DictionaryLoop())).ConfigureAwait(false));
                all.Add(await MeasureAsync("DataWeaverCount", bench.DataWeaverCount).ConfigureAwait(false));
                all.Add(await MeasureAsync("DataWeaverBuiltIn", bench.DataWeaverBuiltIn).ConfigureAwait(false));
                if (akka && round == rounds - 1)
                {
                    all.Add(await MeasureAsync("AkkaStreams", bench.AkkaStreams).ConfigureAwait(false));
                }
            }

            // The first round warms the JIT up: medians of the others.
            var loop = Median(all.Skip(3).Where(r => r.Name == "DictionaryLoop").ToList());
            foreach (var name in all.Select(r => r.Name).Distinct())
            {
                var rows = all.Where(r => r.Name == name).ToList();
                var m = Median(rows.Count > 1 ? rows.Skip(1).ToList() : rows);
                Console.WriteLine(string.Create(
                    CultureInfo.InvariantCulture,
                    $"{name,-18} wall {m.Wall,8:F0} ms  cpu {m.Cpu,8:F0} ms  throughput vs loop: wall {loop.Wall / m.Wall:F2}x, cpu {loop.Cpu / m.Cpu:F2}x"));
            }
        }
        finally
        {
            bench.Cleanup();
        }
    }

    private static (double Wall, double Cpu) Median(List<(string Name, double Wall, double Cpu)> rows) =>
        (rows.Select(r => r.Wall).Order().ElementAt(rows.Count / 2), rows.Select(r => r.Cpu).Order().ElementAt(rows.Count / 2));

    private static async Task<(string, double, double)> MeasureAsync(string name, Func<Task<long>> run)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var process = Process.GetCurrentProcess();
        var cpu = process.TotalProcessorTime;
        var wall = Stopwatch.StartNew();
        await run().ConfigureAwait(false);
        var elapsed = wall.Elapsed.TotalMilliseconds;
        process.Refresh();
        return (name, elapsed, (process.TotalProcessorTime - cpu).TotalMilliseconds);
    }
}
