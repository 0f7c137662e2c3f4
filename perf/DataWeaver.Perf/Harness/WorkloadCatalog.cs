using DataWeaver.Perf.Workloads.W1Hops;
using DataWeaver.Perf.Workloads.W2Etl;
using DataWeaver.Perf.Workloads.W3Ndjson;
using DataWeaver.Perf.Workloads.W4Protobuf;
using DataWeaver.Perf.Workloads.W5Backpressure;
using DataWeaver.Perf.Workloads.W6Kafka;
using DataWeaver.Perf.Workloads.W7Quickstart;

namespace DataWeaver.Perf.Harness;

/// <summary>The workloads and their sizes in records per iteration: full (the sizes) or quick (the CI gate).</summary>
internal static class WorkloadCatalog
{
    private static readonly (string Name, long Full, long Quick, Func<long, PerfOptions, Workload> Create)[] Workloads =
    [
        // The Akka.Streams peers (tens of microseconds per record with async boundaries) are left out of the gate's runs: no floor reads them.
        ("W1", 10_000_000, 500_000, (records, options) => new HopWorkload(records, akka: !options.Gate)),
        ("W2", 10_000_000, 500_000, (records, options) => new EtlWorkload(records, akka: !options.Gate)),
        ("W3", 2_000_000, 100_000, (records, _) => new NdjsonWorkload(records)),
        ("W4", 2_000_000, 100_000, (records, _) => new ProtobufWorkload(records)),
        ("W5", 2_000_000, 200_000, (records, _) => new BackpressureWorkload(records)),
        ("W6", 200_000, 100_000, (records, _) => new KafkaWorkload(records)),
        ("W7", 1_000_000, 200_000, (records, _) => new QuickstartWorkload(records)),
    ];

    /// <summary>Creates the selected workloads one at a time, as they are enumerated (each builds its input in its setup).</summary>
    public static IEnumerable<Workload> Create(PerfOptions options) =>
        Workloads.Where(w => options.Runs(w.Name)).Select(w => w.Create(options.Quick ? w.Quick : w.Full, options));
}
