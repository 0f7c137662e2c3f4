using System.Diagnostics;
using System.Globalization;

namespace DataWeaver.Benchmarks.Formats;

/// <summary>
/// A quick look at the format benchmarks without BenchmarkDotNet: the pipeline and the Baseline of each format run
/// alternately (interleaved, so a loaded machine slows both alike) and the ratio of their best runs is printed.
/// </summary>
internal static class FormatFileProbe
{
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

                double bestPipe = double.MaxValue, bestBase = double.MaxValue, cpuPipe = double.MaxValue, cpuBase = double.MaxValue;
                long allocPipe = 0, allocBase = 0;
                for (var round = 0; round < rounds; round++)
                {
                    var (t, a, c) = await MeasureWithCpu(bench.DefinitionFilePipeline).ConfigureAwait(false);
                    bestPipe = Math.Min(bestPipe, t);
                    cpuPipe = Math.Min(cpuPipe, c);
                    allocPipe = a;
                    (t, a, c) = await MeasureWithCpu(baseline).ConfigureAwait(false);
                    bestBase = Math.Min(bestBase, t);
                    cpuBase = Math.Min(cpuBase, c);
                    allocBase = a;
                }

                if (steps is not null && bench is not JsonFormatBenchmarks)
                {
                    await Steps(bench, steps, rounds).ConfigureAwait(false);
                }

                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name,-9} pipeline {bestPipe * 1e6 / FormatFileBenchmarks.Records,8:F2} us/rec {allocPipe / FormatFileBenchmarks.Records,7} B/rec | baseline {bestBase * 1e6 / FormatFileBenchmarks.Records,8:F2} us/rec {allocBase / FormatFileBenchmarks.Records,7} B/rec | ratio {bestBase / bestPipe:F2}x | CPU {cpuPipe * 1e6 / FormatFileBenchmarks.Records:F2} vs {cpuBase * 1e6 / FormatFileBenchmarks.Records:F2} us/rec, ratio {cpuBase / cpuPipe:F2}x"));
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
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var (seconds, allocated) = await Measure(run).ConfigureAwait(false);
        return (seconds, allocated, (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds);
    }

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
