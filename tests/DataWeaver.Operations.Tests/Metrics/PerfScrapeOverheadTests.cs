using System.Globalization;
using System.Reflection;
using System.Runtime.Loader;
using System.Text.Json;
using DataWeaver.Lifecycle;
using DataWeaver.Operations.Tests.Support;
using Xunit.Abstractions;

namespace DataWeaver.Operations.Tests.Metrics;

/// <summary>
/// What an operations endpoint scraped every second costs the perf harness's W2 (in-memory ETL) and W3 (NDJSON)
/// workloads: the harness (perf/DataWeaver.Perf, as built by the solution) runs in this process, by its entry point,
/// alternately with no endpoint and with an endpoint whose /metrics is read every second (ABBA order), and the
/// <c>dataweaver</c> peer's records per second are compared. A measurement to report (docs/operations.md), not a gate.
/// </summary>
public sealed class PerfScrapeOverheadTests(ITestOutputHelper output)
{
    [SkippableFact]
    [Trait("Category", "Soak")]
    public async Task Perf_W2W3ScrapedEverySecond_ThroughputChangeReported()
    {
        var mode = Environment.GetEnvironmentVariable("DATAWEAVER_OVERHEAD_MODE") ?? "--quick";   // "full" for the issue's sizes
        var perf = Path.Combine(Tool.RepositoryRoot(), "perf", "DataWeaver.Perf", "bin", "Release", "net10.0", "DataWeaver.Perf.dll");
        Skip.IfNot(File.Exists(perf), "perf/DataWeaver.Perf is not built (dotnet build perf/DataWeaver.Perf -c Release)");
        var runs = new List<(bool Scraped, Dictionary<string, (double RecordsPerSecond, double CpuNs)> Peers)>();
        var scrapes = 0;
        string lastScrape = string.Empty;

        var rounds = int.Parse(Environment.GetEnvironmentVariable("DATAWEAVER_OVERHEAD_ROUNDS") ?? "1", CultureInfo.InvariantCulture);
        foreach (var scraped in Enumerable.Repeat(new[] { false, true, true, false }, rounds).SelectMany(static r => r))
        {
            var json = Path.Combine(Path.GetTempPath(), $"dw-overhead-{Guid.NewGuid():N}.json");
            OperationsServer? server = null;
            using var stop = new CancellationTokenSource();
            var scraper = Task.CompletedTask;
            if (scraped)
            {
                server = await OperationsServer.StartAsync("127.0.0.1:0", new OperatedPipelines(Array.Empty<PipelineHost>()));
                var http = new HttpClient { BaseAddress = server.Address };
                scraper = Task.Run(async () =>
                {
                    using (http)
                    {
                        while (!stop.IsCancellationRequested)
                        {
                            lastScrape = await http.GetStringAsync("/metrics");
                            Interlocked.Increment(ref scrapes);
                            try
                            {
                                await Task.Delay(1000, stop.Token);
                            }
                            catch (OperationCanceledException)
                            {
                            }
                        }
                    }
                });
            }

            // A fresh load of the harness per run: its statics (Akka's materializer, shut down at its end) start anew.
            var entry = new PerfContext(perf).LoadFromAssemblyPath(perf).EntryPoint!;
            string[] args = mode == "full" ? ["--only", "W2,W3", "--json", json] : ["--quick", "--only", "W2,W3", "--json", json];
            var exit = await Task.Run(() => entry.Invoke(null, [args]));
            await stop.CancelAsync();
            await scraper;
            if (server is not null)
            {
                await server.DisposeAsync();
            }

            Assert.Equal(0, Convert.ToInt32(exit, CultureInfo.InvariantCulture));
            var peers = new Dictionary<string, (double, double)>(StringComparer.Ordinal);
            foreach (var workload in JsonDocument.Parse(File.ReadAllText(json)).RootElement.GetProperty("workloads").EnumerateArray())
            {
                var peer = workload.GetProperty("peers").EnumerateArray().Single(p => p.GetProperty("name").GetString() == "dataweaver");
                peers[workload.GetProperty("name").GetString()!] = (peer.GetProperty("recordsPerSecond").GetDouble(), peer.GetProperty("cpuNsPerRecord").GetDouble());
            }

            File.Delete(json);
            runs.Add((scraped, peers));
            output.WriteLine($"{(scraped ? "scraped every 1 s" : "no endpoint      ")}: " + string.Join("; ", peers.Select(p => $"{p.Key} {p.Value.Item1 / 1e6:F2} M records/s, {p.Value.Item2:F1} CPU ns/record")));
        }

        // The endpoint saw the harness's pipelines: their counters are in the scrape.
        Assert.True(scrapes > 0);
        Assert.Contains("dataweaver_records_out_total", lastScrape, StringComparison.Ordinal);
        foreach (var workload in new[] { "W2", "W3" })
        {
            var plain = Median(runs.Where(r => !r.Scraped).Select(r => r.Peers[workload].RecordsPerSecond));
            var withScrape = Median(runs.Where(r => r.Scraped).Select(r => r.Peers[workload].RecordsPerSecond));
            var plainCpu = Median(runs.Where(r => !r.Scraped).Select(r => r.Peers[workload].CpuNs));
            var scrapedCpu = Median(runs.Where(r => r.Scraped).Select(r => r.Peers[workload].CpuNs));
            output.WriteLine($"{workload} (median of {runs.Count / 2} each): {plain / 1e6:F2} vs {withScrape / 1e6:F2} M records/s: {(withScrape / plain - 1) * 100:+0.0;-0.0} % throughput with the endpoint scraped; "
                + $"{plainCpu:F1} vs {scrapedCpu:F1} CPU ns/record: {(scrapedCpu / plainCpu - 1) * 100:+0.0;-0.0} %; {scrapes} scrapes; mode {mode}; load {File.ReadAllText("/proc/loadavg").Split(' ')[0]}");
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>The harness and its own dependencies, apart from this test's (framework assemblies are shared).</summary>
    private sealed class PerfContext(string path) : AssemblyLoadContext("perf-harness")
    {
        private readonly AssemblyDependencyResolver _resolver = new(path);

        protected override Assembly? Load(AssemblyName assemblyName) =>
            _resolver.ResolveAssemblyToPath(assemblyName) is { } file ? LoadFromAssemblyPath(file) : null;

        protected override IntPtr LoadUnmanagedDll(string unmanagedDllName) =>
            _resolver.ResolveUnmanagedDllToPath(unmanagedDllName) is { } file ? LoadUnmanagedDllFromPath(file) : IntPtr.Zero;
    }
}
