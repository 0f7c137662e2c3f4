using System.Diagnostics;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Windowing;

namespace DataWeaver.Benchmarks.Stateful;

/// <summary>
/// The distinct count of a window, exact against approximate: 2,000,000 in-memory events, 1,000 keys, 100,000 events per
/// second of event time in time order, 10-second tumbling windows (2 windows x 1,000 keys; about 1,000 values per key
/// and window, nearly all distinct, drawn from 0-999,999), built-in aggregates:
/// - <c>Exact</c> (Baseline): <c>DistinctCount = true</c> (a HashSet of the values per key and window).
/// - <c>Approximate12</c> / <c>Approximate14</c>: <c>ApproximateDistinctPrecision = 12</c> / 14 (a HyperLogLog sketch).
/// - <c>NoDistinct</c>: neither, the cost of the rest of the stage.
/// - <c>SketchAddOnly</c> / <c>HashSetAddOnly</c>: the bare per-value work, 2,000,000 adds to one sketch or set per key.
/// Run (BenchmarkDotNet):
///   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --filter '*DistinctCount*'
/// or interleaved rounds reporting process CPU ns per record (steadier under load):
///   dotnet run -c Release --project benchmarks/DataWeaver.Benchmarks -- --probe-distinct [rounds]
/// </summary>
[MemoryDiagnoser]
[Config(typeof(DistinctCountConfig))]
public class DistinctCountBenchmarks
{
    public const int Events = 2_000_000;
    public const int Keys = 1_000;
    private const long TicksPerEvent = TimeSpan.TicksPerSecond / 100_000;
    private static readonly DateTimeOffset s_epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly WindowOptions s_window = new() { Size = TimeSpan.FromSeconds(10), StateBudgetBytes = 1L << 32 };

    private Event[] _events = [];

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _events = new Event[Events];
        for (var i = 0; i < Events; i++)
        {
            _events[i] = new Event(random.Next(Keys), s_epoch.UtcTicks + (i * TicksPerEvent), random.Next(1_000_000));
        }
    }

    [Benchmark(Baseline = true)]
    public Task<long> Exact() => RunAsync(s_window with { DistinctCount = true }, exact: true);

    [Benchmark]
    public Task<long> Approximate12() => RunAsync(s_window with { ApproximateDistinctPrecision = 12 }, exact: false);

    [Benchmark]
    public Task<long> Approximate14() => RunAsync(s_window with { ApproximateDistinctPrecision = 14 }, exact: false);

    [Benchmark]
    public Task<long> NoDistinct() => RunAsync(s_window, exact: false);

    [Benchmark]
    public long SketchAddOnly()
    {
        var sketches = new HyperLogLogSketch[Keys];
        for (var k = 0; k < Keys; k++)
        {
            sketches[k] = new HyperLogLogSketch(12);
        }

        foreach (var e in _events)
        {
            sketches[e.Key].Add(e.Value);
        }

        return sketches.Sum(s => s.Estimate());
    }

    [Benchmark]
    public long HashSetAddOnly()
    {
        var sets = new HashSet<double>[Keys];
        for (var k = 0; k < Keys; k++)
        {
            sets[k] = [];
        }

        foreach (var e in _events)
        {
            sets[e.Key].Add(e.Value);
        }

        return sets.Sum(s => (long)s.Count);
    }

    /// <summary>Interleaved rounds of the pipelines and the bare adds, printing the medians (after the first round) of wall and process CPU time per record.</summary>
    /// <param name="rounds">How many rounds.</param>
    /// <returns>A task that completes when done.</returns>
    public static async Task ProbeAsync(int rounds)
    {
        var bench = new DistinctCountBenchmarks();
        bench.Setup();
        (string Name, Func<Task<long>> Run)[] peers =
        [
            ("Exact", bench.Exact),
            ("Approximate12", bench.Approximate12),
            ("Approximate14", bench.Approximate14),
            ("NoDistinct", bench.NoDistinct),
            ("SketchAddOnly", () => Task.FromResult(bench.SketchAddOnly())),
            ("HashSetAddOnly", () => Task.FromResult(bench.HashSetAddOnly())),
        ];
        List<(string Name, double WallNs, double CpuNs, double Bytes)> all = [];
        for (var round = 0; round < rounds; round++)
        {
            foreach (var (name, run) in peers)
            {
                GC.Collect();
                GC.WaitForPendingFinalizers();
                var process = Process.GetCurrentProcess();
                var cpu = process.TotalProcessorTime;
                var allocated = GC.GetTotalAllocatedBytes(precise: true);
                var wall = Stopwatch.StartNew();
                await run().ConfigureAwait(false);
                var elapsed = wall.Elapsed;
                process.Refresh();
                all.Add((name, elapsed.TotalNanoseconds / Events, (process.TotalProcessorTime - cpu).TotalNanoseconds / Events, (GC.GetTotalAllocatedBytes(precise: true) - allocated) / (double)Events));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Events:N0} events, {Keys:N0} keys, {rounds} rounds (medians of rounds 2-{rounds}); load average: {File.ReadAllText("/proc/loadavg").Trim()}"));
        foreach (var (name, _) in peers)
        {
            var rows = all.Where(r => r.Name == name).Skip(rounds > 1 ? 1 : 0).ToList();
            static double Median(IEnumerable<double> values) => values.Order().ElementAt(values.Count() / 2);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"{name,-15} wall {Median(rows.Select(r => r.WallNs)),7:F1} ns/record  cpu {Median(rows.Select(r => r.CpuNs)),7:F1} ns/record  allocated {Median(rows.Select(r => r.Bytes)),6:F1} B/record"));
        }
    }

    private async Task<long> RunAsync(WindowOptions options, bool exact)
    {
        var sink = new ResultSink();
        await Pipeline.From(new CollectionSource<Event>(_events))
            .WindowByEventTime(static e => new DateTimeOffset(e.Ticks, TimeSpan.Zero), static e => e.Key, static e => e.Value, options)
            .To(sink)
            .Build()
            .RunAsync()
            .ConfigureAwait(false);
        if (sink.Counted != Events || sink.Results != Keys * 2L || (exact ? sink.Distinct : options.ApproximateDistinctPrecision is null ? 1 : sink.Approximate) <= 0)
        {
            throw new InvalidOperationException($"Wrong answer: {sink.Results} results counting {sink.Counted} events.");
        }

        return sink.Results;
    }

    public readonly record struct Event(int Key, long Ticks, double Value);

    /// <summary>Counts results, the events they count and the distinct counts, keeping none.</summary>
    private sealed class ResultSink : SinkConnector<WindowResult<int>>
    {
        public long Results { get; private set; }

        public long Counted { get; private set; }

        public long Distinct { get; private set; }

        public long Approximate { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<WindowResult<int>> batch, CancellationToken cancellationToken = default)
        {
            Results += batch.Length;
            foreach (var r in batch.Span)
            {
                Counted += r.Count;
                Distinct += r.DistinctCount ?? 0;
                Approximate += r.ApproximateDistinctCount ?? 0;
            }

            return default;
        }
    }

    private sealed class DistinctCountConfig : ManualConfig
    {
        public DistinctCountConfig() =>
            AddJob(Job.Default.WithToolchain(InProcessEmitToolchain.Instance).WithLaunchCount(1).WithWarmupCount(3).WithIterationCount(6));
    }
}
