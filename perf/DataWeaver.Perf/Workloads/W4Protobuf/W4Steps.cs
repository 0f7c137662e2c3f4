using System.Buffers;
using System.Runtime.InteropServices;
using DataWeaver.Perf.Workloads.W3Ndjson;
using DataWeaver.Perf.Workloads.W4Protobuf.Messages;
using DataWeaver.Serialization.Json;

namespace DataWeaver.Perf.Workloads.W4Protobuf;

/// <summary>
/// W4's per-record steps alone, on one thread, timed by that thread's CPU clock (<c>CLOCK_THREAD_CPUTIME_ID</c>): what
/// each costs without the pipeline, robust to other processes (a thread's CPU clock does not run while it waits for a
/// core). <c>--w4-steps [records] [rounds]</c>; prints CPU ns/record per step, the median over interleaved rounds.
/// </summary>
internal static partial class W4Steps
{
    private const int ThreadCpuClock = 3; // CLOCK_THREAD_CPUTIME_ID

    public static void Run(long records, int rounds, TextWriter output)
    {
        using var input = new NdjsonInput(records);
        var lines = new List<ReadOnlyMemory<byte>>();
        foreach (var line in input.Lines())
        {
            lines.Add(line);
        }

        var parsed = lines.Select(line => JsonRecord.Parse(line)).ToArray();
        var sink = new ArrayBufferWriter<byte>(1 << 20);
        var steps = new (string Name, Func<long> Run)[]
        {
            ("raw-loop: Utf8JsonReader pass into the message + encode", () => Each(lines, line => Encode(ProtoOrders.FromJson(line.Span), sink))),
            ("JsonRecord.Parse (validation)", () => Each(lines, line => JsonRecord.Parse(line).Utf8.Length)),
            ("six TryGetField reads + strings (FromRecord)", () => Each(parsed, record => ProtoOrders.FromRecord(record).Qty)),
            ("GetFields, one pass + strings (FromRecordFields)", () => Each(parsed, record => ProtoOrders.FromRecordFields(record).Qty)),
            ("GetFields alone (locating the six fields)", () => Each(parsed, ProtoOrders.LocateFields)),
            ("encode only (WriteDelimited of a built message)", () => EncodeOnly(parsed, sink)),
            ("Parse + GetFields in one pass (locating the six fields)", () => Each(lines, ProtoOrders.ParseLocatingFields)),
            ("two passes: Parse + FromRecordFields + encode", () => Each(lines, line => Encode(ProtoOrders.FromRecordFields(JsonRecord.Parse(line)), sink))),
            ("DataWeaver's whole step: one-pass Parse with fields (FromLine) + encode", () => Each(lines, line => Encode(ProtoOrders.FromLine(line), sink))),
        };

        var samples = steps.Select(_ => new List<double>()).ToArray();
        for (var round = 0; round < rounds; round++)
        {
            for (var s = 0; s < steps.Length; s++)
            {
                sink.ResetWrittenCount();
                var started = ThreadCpuNanoseconds();
                GC.KeepAlive(steps[s].Run());
                samples[s].Add((ThreadCpuNanoseconds() - started) / (double)lines.Count);
            }
        }

        output.WriteLine($"W4 steps: {lines.Count:N0} records, {rounds} rounds, thread CPU ns/record (median, min-max)");
        for (var s = 0; s < steps.Length; s++)
        {
            var sorted = samples[s].Order().ToList();
            output.WriteLine($"  {sorted[sorted.Count / 2],8:F1}  ({sorted[0]:F1}-{sorted[^1]:F1})  {steps[s].Name}");
        }
    }

    private static long Each<T>(IReadOnlyList<T> items, Func<T, int> step)
    {
        long sum = 0;
        for (var i = 0; i < items.Count; i++)
        {
            sum += step(items[i]);
        }

        return sum;
    }

    private static int Encode(ProtoOrder order, ArrayBufferWriter<byte> sink)
    {
        if (sink.FreeCapacity < 256)
        {
            sink.ResetWrittenCount();
        }

        ProtoOrders.WriteDelimited(order, sink);
        return order.Qty;
    }

    private static long EncodeOnly(JsonRecord[] parsed, ArrayBufferWriter<byte> sink)
    {
        var order = ProtoOrders.FromRecordFields(parsed[0]);
        long sum = 0;
        for (var i = 0; i < parsed.Length; i++)
        {
            sum += Encode(order, sink);
        }

        return sum;
    }

    private static long ThreadCpuNanoseconds()
    {
        var time = default(TimeSpec);
        return ClockGetTime(ThreadCpuClock, ref time) == 0 ? (time.Seconds * 1_000_000_000) + time.Nanoseconds : 0;
    }

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clock, ref TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
