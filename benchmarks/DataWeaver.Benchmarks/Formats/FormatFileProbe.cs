using System.Diagnostics;
using System.Globalization;

namespace DataWeaver.Benchmarks.Formats;

/// <summary>
/// A quick look at the format benchmarks without BenchmarkDotNet: the pipeline and the Baseline of each format run
/// alternately (interleaved, so a loaded machine slows both alike) after warm-up rounds, and the ratio of their best
/// runs is printed with the spread of the per-round ratios, and the process's CPU time per record of each (all threads,
/// the JIT's and the GC's included; robust on a shared machine where wall time is not).
/// </summary>
internal static class FormatFileProbe
{
    /// <summary>The fewest warm-up rounds of each side: <c>DATAWEAVER_PROBE_WARMUP</c>, by default 3; more run until a round compiles no new method (at most 12).</summary>
    private static readonly int WarmupRounds = int.TryParse(Environment.GetEnvironmentVariable("DATAWEAVER_PROBE_WARMUP"), CultureInfo.InvariantCulture, out var n) && n >= 0 ? n : 3;

    public static async Task RunAsync(string? only, int rounds, Func<FormatFileBenchmarks, DataWeaver.Configuration.Formats.RecordFileFormat>? steps = null)
    {
        FormatFileBenchmarks[] all = [new CsvFormatBenchmarks(), new JsonFormatBenchmarks(), new AvroFormatBenchmarks(), new ProtobufFormatBenchmarks()];
        foreach (var bench in all)
        {
            var name = bench.GetType().Name.Replace("FormatBenchmarks", "", StringComparison.Ordinal);
            if (only is not null && !name.Equals(only, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            bench.Setup();
            try
            {
                Func<Task> baseline = bench switch
                {
                    CsvFormatBenchmarks c => () => Task.FromResult(c.CsvHelperLoop()),
                    JsonFormatBenchmarks j => () => Task.FromResult(j.Utf8JsonReaderLoop()),
                    AvroFormatBenchmarks a => () => Task.FromResult(a.AvroCodecLoop()),
                    ProtobufFormatBenchmarks p => () => Task.FromResult(p.GoogleProtobufLoop()),
                    _ => throw new InvalidOperationException(),
                };
                if (Environment.GetEnvironmentVariable("DATAWEAVER_PROBE_PIPELINE_ONLY") == "1")
                {
                    // For a profiler: the pipeline alone, round after round.
                    for (var round = 0; round < rounds; round++)
                    {
                        await bench.DefinitionFilePipeline().ConfigureAwait(false);
                    }

                    continue;
                }

                // Warm-up rounds, not counted: tiered compilation goes on for several runs of the pipeline (thousands of
                // methods, most called once per run), and a round that pays for it says nothing of the per-record path.
                // At least WarmupRounds, then until a round of both compiles no method (at most 12).
                for (var round = 0; round < 12; round++)
                {
                    var compiled = System.Runtime.JitInfo.GetCompiledMethodCount();
                    await bench.DefinitionFilePipeline().ConfigureAwait(false);
                    await baseline().ConfigureAwait(false);
                    if (round + 1 >= WarmupRounds && System.Runtime.JitInfo.GetCompiledMethodCount() == compiled)
                    {
                        break;
                    }
                }

                double bestPipe = double.MaxValue, bestBase = double.MaxValue, cpuPipe = double.MaxValue, cpuBase = double.MaxValue;
                long allocPipe = 0, allocBase = 0;
                var ratios = new List<double>();
                for (var round = 0; round < rounds; round++)
                {
                    var (t, a, c) = await MeasureWithCpu(bench.DefinitionFilePipeline).ConfigureAwait(false);
                    bestPipe = Math.Min(bestPipe, t);
                    cpuPipe = Math.Min(cpuPipe, c);
                    allocPipe = a;
                    var pipe = t;
                    (t, a, c) = await MeasureWithCpu(baseline).ConfigureAwait(false);
                    bestBase = Math.Min(bestBase, t);
                    cpuBase = Math.Min(cpuBase, c);
                    allocBase = a;
                    ratios.Add(t / pipe);
                }

                ratios.Sort();
                if (steps is not null && bench is not JsonFormatBenchmarks)
                {
                    await Steps(bench, steps, rounds).ConfigureAwait(false);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-9} pipeline {bestPipe * 1e6 / FormatFileBenchmarks.Records,8:F2} us/rec {allocPipe / FormatFileBenchmarks.Records,7} B/rec | baseline {bestBase * 1e6 / FormatFileBenchmarks.Records,8:F2} us/rec {allocBase / FormatFileBenchmarks.Records,7} B/rec | ratio {bestBase / bestPipe:F2}x (per round {ratios[0]:F2}-{ratios[^1]:F2}x, median {ratios[ratios.Count / 2]:F2}x) | CPU {cpuPipe * 1e6 / FormatFileBenchmarks.Records:F2} vs {cpuBase * 1e6 / FormatFileBenchmarks.Records:F2} us/rec, ratio {cpuBase / cpuPipe:F2}x"));
            }
            finally
            {
                bench.Cleanup();
            }
        }
    }

    /// <summary>The format's reader alone (file -> records) and its writer alone (records -> file), per record.</summary>
    private static async Task Steps(FormatFileBenchmarks bench, Func<FormatFileBenchmarks, DataWeaver.Configuration.Formats.RecordFileFormat> create, int rounds)
    {
        var format = create(bench);
        var input = Path.Combine(bench.FolderPath, "input." + bench.Ext);
        var records = new List<DataWeaver.Serialization.Json.JsonRecord>();
        var payloads = new HashSet<DataWeaver.Buffers.PayloadBuffer>(); // held as the engine's batches hold them, until written
        double bestRead = double.MaxValue, bestWrite = double.MaxValue;
        long allocRead = 0, allocWrite = 0;
        for (var round = 0; round < rounds; round++)
        {
            (var t, allocRead) = await Measure(async () =>
            {
                records.Clear();
                await using var reader = format.CreateReader(File.OpenRead(input), "input");
                while (await reader.MoveNextAsync(default).ConfigureAwait(false))
                {
                    if (reader.Current.Payload is { } payload && payloads.Add(payload))
                    {
                        payload.AddReference();
                    }

                    records.Add(reader.Current.Record);
                }
            }).ConfigureAwait(false);
            bestRead = Math.Min(bestRead, t);
            var array = records.ToArray();
            (t, allocWrite) = await Measure(async () =>
            {
                await using var output = new BufferedStream(File.Create(Path.Combine(bench.FolderPath, "steps.out")), 64 * 1024);
                await using var writer = format.CreateWriter(output);
                for (var i = 0; i < array.Length; i += 1024)
                {
                    await writer.WriteAsync(array.AsMemory(i, Math.Min(1024, array.Length - i)), default).ConfigureAwait(false);
                    await output.FlushAsync().ConfigureAwait(false);
                }

                await writer.CompleteAsync(default).ConfigureAwait(false);
            }).ConfigureAwait(false);
            bestWrite = Math.Min(bestWrite, t);
            foreach (var payload in payloads)
            {
                payload.Release();
            }

            payloads.Clear();
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  read alone {bestRead * 1e6 / records.Count:F2} us/rec {allocRead / records.Count} B/rec; write alone {bestWrite * 1e6 / records.Count:F2} us/rec {allocWrite / records.Count} B/rec"));
    }

    /// <summary>Wall time, bytes allocated and the process's CPU time (all threads, the JIT's included) of one run.</summary>
    private static async Task<(double Seconds, long Allocated, double CpuSeconds)> MeasureWithCpu(Func<Task> run)
    {
        var cpu = ProcessCpuSeconds();
        var (seconds, allocated) = await Measure(run).ConfigureAwait(false);
        return (seconds, allocated, ProcessCpuSeconds() - cpu);
    }

    /// <summary>
    /// The CPU time of the whole process. On Linux <c>clock_gettime(CLOCK_PROCESS_CPUTIME_ID)</c>, to the nanosecond:
    /// <see cref="Process.TotalProcessorTime"/> counts clock ticks there (10 ms), a third of a 300,000-record run.
    /// </summary>
    private static double ProcessCpuSeconds() =>
        OperatingSystem.IsLinux() && NativeClock.ClockGetTime(2, out var now) == 0
            ? now.Seconds + (now.Nanoseconds / 1e9)
            : Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static async Task<(double Seconds, long Allocated)> Measure(Func<Task> run)
    {
        var before = GC.GetTotalAllocatedBytes(precise: true);
        var watch = Stopwatch.StartNew();
        await run().ConfigureAwait(false);
        var seconds = watch.Elapsed.TotalSeconds;
        return (seconds, GC.GetTotalAllocatedBytes(precise: true) - before);
    }

    /// <summary>The format a benchmark writes, built directly (json has no public type: none).</summary>
    public static DataWeaver.Configuration.Formats.RecordFileFormat FormatOf(FormatFileBenchmarks bench) => bench switch
    {
        CsvFormatBenchmarks => new DataWeaver.Formats.Csv.CsvFileFormat(new DataWeaver.Formats.Csv.CsvFormatOptions()),
        AvroFormatBenchmarks => new DataWeaver.Formats.Avro.AvroFileFormat(new DataWeaver.Formats.Avro.AvroFormatOptions { Schema = DataWeaver.Serialization.Avro.Schema.AvroSchema.Parse(File.ReadAllText(Path.Combine(bench.FolderPath, "row.avsc"))) }),
        ProtobufFormatBenchmarks => new DataWeaver.Formats.Protobuf.ProtobufFileFormat(new DataWeaver.Formats.Protobuf.ProtobufJsonCodec(DataWeaver.Benchmarks.Serialization.Messages.ProtoTrade.Descriptor)),
        _ => throw new NotSupportedException("no public format type"),
    };
}

/// <summary>The process's CPU clock (Linux).</summary>
internal static class NativeClock
{
#pragma warning disable SYSLIB1054 // LibraryImport would need unsafe code in the project; a blittable out struct marshals as is
    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "clock_gettime")]
    [System.Runtime.InteropServices.DefaultDllImportSearchPaths(System.Runtime.InteropServices.DllImportSearchPath.SafeDirectories)]
    internal static extern int ClockGetTime(int clock, out TimeSpec time);
#pragma warning restore SYSLIB1054

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    internal struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
