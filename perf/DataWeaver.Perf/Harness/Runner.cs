using System.Diagnostics;

namespace DataWeaver.Perf.Harness;

/// <summary>
/// Measures peers in this process: a full GC before each peer, warm-up runs (the first one verifies the output),
/// another full GC, then timed iterations; reports medians. Allocations are <c>GC.GetTotalAllocatedBytes(precise: true)</c>
/// deltas (every thread, unlike the per-thread counter), CPU time is <see cref="Environment.CpuUsage"/> (every thread).
/// </summary>
internal static class Runner
{
    public static async Task<WorkloadResult> RunAsync(Workload workload, RunSettings settings, TextWriter log, AllocationSampler? sampler = null, Func<string, bool>? measures = null)
    {
        log.WriteLine($"{workload.Name} {workload.Title}: {workload.Records:N0} records per iteration");
        var setup = Stopwatch.StartNew();
        await workload.SetupAsync();
        log.WriteLine($"  input ready in {setup.Elapsed.TotalSeconds:F1} s");
        var results = new List<PeerResult>();
        foreach (var peer in workload.Peers())
        {
            if (measures is not null && !measures(peer.Name))
            {
                continue;
            }

            var result = await MeasureAsync(peer, workload.Records, workload.Adjust(settings), sampler);
            sampler?.Report(peer.Name, log);
            var derived = workload.Derive(result);
            if (derived.Count > 0)
            {
                result = result with { Extras = result.Extras.Concat(derived).ToDictionary() };
            }

            results.Add(result);
            log.WriteLine($"  {peer.Name,-24} {result.NsPerRecord,10:F1} ns/record {result.RecordsPerSecond,14:N0} records/s {result.BytesPerRecord,9:F3} B/record");
        }

        log.WriteLine($"  {workload.Name} done in {setup.Elapsed.TotalSeconds:F1} s");
        return new WorkloadResult(workload.Name, workload.Title, workload.Records, results);
    }

    public static async Task<PeerResult> MeasureAsync(PeerBench peer, long records, RunSettings settings, AllocationSampler? sampler = null)
    {
        FullCollect();
        var warmup = Stopwatch.StartNew();
        var warmups = 0;
        while (warmups < settings.MinWarmups || (warmup.Elapsed < settings.WarmupTime && warmups < settings.MaxWarmups))
        {
            await peer.RunAsync(warmups == 0);
            warmups++;
        }

        FullCollect();
        var samples = new List<Sample>(settings.Iterations);
        if (sampler is not null)
        {
            sampler.Sampling = true;
        }

        for (var i = 0; i < settings.Iterations; i++)
        {
            var allocated = GC.GetTotalAllocatedBytes(precise: true);
            var cpu = Environment.CpuUsage.TotalTime;
            var started = Stopwatch.GetTimestamp();
            var iteration = await peer.RunAsync(false);
            var elapsed = Stopwatch.GetElapsedTime(started);
            var cpuTime = Environment.CpuUsage.TotalTime - cpu;
            var bytes = GC.GetTotalAllocatedBytes(precise: true) - allocated;
            samples.Add(new Sample(iteration.Elapsed ?? elapsed, cpuTime, bytes, iteration.Extras));
        }

        if (sampler is not null)
        {
            sampler.Sampling = false;
        }

        return Summarize(peer.Name, records, samples);
    }

    /// <summary>The median iteration by time gives time, CPU and extras; allocations take their own median.</summary>
    internal static PeerResult Summarize(string name, long records, IReadOnlyList<Sample> samples)
    {
        var byTime = samples.OrderBy(s => s.Elapsed).ToList();
        var median = byTime[(byTime.Count - 1) / 2];
        var bytes = samples.Select(s => s.Bytes).Order().ToList()[(samples.Count - 1) / 2];
        return new PeerResult(
            name,
            median.Elapsed.TotalNanoseconds / records,
            bytes / (double)records,
            median.Cpu.TotalNanoseconds / records,
            median.Extras ?? new Dictionary<string, double>());
    }

    /// <summary>A full blocking, compacting collection, so no peer pays for the previous one's garbage.</summary>
    public static void FullCollect()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    internal readonly record struct Sample(TimeSpan Elapsed, TimeSpan Cpu, long Bytes, IReadOnlyDictionary<string, double>? Extras);
}
