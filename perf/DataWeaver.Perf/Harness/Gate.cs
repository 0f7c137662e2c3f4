using System.Globalization;
using System.Text;

namespace DataWeaver.Perf.Harness;

/// <summary>
/// The CI gate: floors on DataWeaver's figures, each a ratio to a peer measured in the same run (or bytes per record),
/// set below the goals so that noise on a shared 2-core machine does not fail good code. A floor missed is measured
/// again (the whole workload, up to <see cref="Retries"/> more times) and fails only when every attempt misses it:
/// other builds on the machine can stall a multi-threaded peer for a whole iteration. The rationale of each floor is in
/// docs/perf/README.md.
/// </summary>
internal static class Gate
{
    /// <summary>How many times a workload with a missed floor is run again.</summary>
    public const int Retries = 2;

    /// <summary>One floor: what is measured, the bound, and whether the value must be at least or below it.</summary>
    internal sealed record Floor(string Workload, string What, double Bound, bool AtLeast, Func<WorkloadResult, double> Measure)
    {
        public string Rule => (AtLeast ? ">= " : "< ") + Bound.ToString("0.##", CultureInfo.InvariantCulture);

        public bool Passes(double value) => double.IsFinite(value) && (AtLeast ? value >= Bound : value < Bound);

        /// <summary>The best value over the attempts (a floor passes when any attempt passes).</summary>
        public double Best(IEnumerable<WorkloadResult> attempts)
        {
            var values = attempts.Select(Measure).Where(double.IsFinite).ToList();
            return values.Count == 0 ? double.NaN : AtLeast ? values.Max() : values.Min();
        }
    }

    public static IReadOnlyList<Floor> Floors { get; } =
    [
        new("W1", "dataweaver throughput / naive-dataflow", 5, true, w => w.Ratio(PeerNames.DataWeaver, PeerNames.NaiveDataflow)),
        new("W1", "dataweaver throughput / channels", 1.5, true, w => w.Ratio(PeerNames.DataWeaver, PeerNames.Channels)),
        new("W1", "dataweaver bytes/record", 0.1, false, w => w.Peer(PeerNames.DataWeaver)?.BytesPerRecord ?? double.NaN),
        new("W1", "dataweaver-defaults bytes/record", 0.1, false, w => w.Peer(PeerNames.DataWeaverDefaults)?.BytesPerRecord ?? double.NaN),
        new("W2", "dataweaver throughput / naive-dataflow", 5, true, w => w.Ratio(PeerNames.DataWeaver, PeerNames.NaiveDataflow)),
        new("W2", "dataweaver throughput / raw-loop", 0.05, true, w => w.Ratio(PeerNames.DataWeaver, PeerNames.RawLoop)),
        new("W2", "dataweaver bytes/record", 0.1, false, w => w.Peer(PeerNames.DataWeaver)?.BytesPerRecord ?? double.NaN),
        new("W2", "dataweaver-defaults bytes/record", 0.1, false, w => w.Peer(PeerNames.DataWeaverDefaults)?.BytesPerRecord ?? double.NaN),
        new("W3", "dataweaver throughput / jsonserializer-object", 0.8, true, w => w.Ratio(PeerNames.DataWeaver, PeerNames.JsonSerializerObject)),
        new("W3", "dataweaver bytes/record", 5, false, w => w.Peer(PeerNames.DataWeaver)?.BytesPerRecord ?? double.NaN),
        new("W6", "dataweaver throughput / raw-loop (hand-written Confluent loop)", 0.4, true, w => w.Ratio(PeerNames.DataWeaver, PeerNames.RawLoop)),
    ];

    /// <summary>The workloads (among those that ran) with a floor that no attempt passed yet.</summary>
    public static IReadOnlyList<string> Failing(IReadOnlyDictionary<string, List<WorkloadResult>> attempts) =>
        Floors.Where(f => attempts.TryGetValue(f.Workload, out var runs) && !f.Passes(f.Best(runs)))
            .Select(f => f.Workload)
            .Distinct()
            .ToList();

    /// <summary>Checks every floor whose workload ran; returns the report and whether all passed.</summary>
    public static (string Report, bool Passed) Check(IReadOnlyDictionary<string, List<WorkloadResult>> attempts)
    {
        var text = new StringBuilder();
        text.AppendLine("### Gate");
        text.AppendLine();
        text.AppendLine("| workload | measure | floor | measured (best of attempts) | attempts | result |");
        text.AppendLine("|---|---|---:|---:|---:|---|");
        var passed = true;
        foreach (var floor in Floors)
        {
            if (!attempts.TryGetValue(floor.Workload, out var runs))
            {
                text.AppendLine(CultureInfo.InvariantCulture, $"| {floor.Workload} | {floor.What} | {floor.Rule} | not run | 0 | SKIP |");
                continue;
            }

            var value = floor.Best(runs);
            var ok = floor.Passes(value);
            passed &= ok;
            text.AppendLine(CultureInfo.InvariantCulture, $"| {floor.Workload} | {floor.What} | {floor.Rule} | {value.ToString("0.###", CultureInfo.InvariantCulture)} | {runs.Count} | {(ok ? "PASS" : "FAIL")} |");
        }

        text.AppendLine();
        text.AppendLine(passed ? "Gate: PASS" : "Gate: FAIL");
        return (text.ToString(), passed);
    }
}
