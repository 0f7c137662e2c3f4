using DataWeaver.Perf.Harness;

namespace DataWeaver.Perf.Reports;

/// <summary>The goals, evaluated on a run's results (docs/perf/results.md states them met or missed).</summary>
internal static class Goals
{
    /// <summary>One goal: the measured value against its target; NaN when the workload did not run.</summary>
    internal sealed record Goal(string Workload, string What, double Target, bool AtLeast, string Unit, Func<IReadOnlyList<WorkloadResult>, double> Measure);

    public static IReadOnlyList<Goal> All { get; } =
    [
        new("W1", "dataweaver throughput / naive-dataflow", 10, true, "x", r => Ratio(r, "W1", PeerNames.DataWeaver, PeerNames.NaiveDataflow)),
        new("W1", "dataweaver throughput / channels", 3, true, "x", r => Ratio(r, "W1", PeerNames.DataWeaver, PeerNames.Channels)),
        new("W2", "dataweaver-lambdas throughput / raw-loop", 0.5, true, "x", r => Ratio(r, "W2", PeerNames.DataWeaverLambdas, PeerNames.RawLoop)),
        new("W2", "dataweaver (struct operators) throughput / raw-loop, higher than with lambdas", 0.5, true, "x", r => Ratio(r, "W2", PeerNames.DataWeaver, PeerNames.RawLoop)),
        new("W3", "dataweaver GB/s of JSON per core (input bytes / CPU time)", 0.25, true, " GB/s", r => Extra(r, "W3", "jsonGBPerSecondPerCore")),
        new("W3", "dataweaver throughput / jsonserializer-object", 1.5, true, "x", r => Ratio(r, "W3", PeerNames.DataWeaver, PeerNames.JsonSerializerObject)),
        new("W1", "dataweaver bytes/record", 0.1, false, " B", r => Bytes(r, "W1")),
        new("W2", "dataweaver bytes/record", 0.1, false, " B", r => Bytes(r, "W2")),
        new("W3", "dataweaver bytes/record", 0.1, false, " B", r => Bytes(r, "W3")),
        new("W6", "dataweaver throughput / hand-written Confluent loop", 0.9, true, "x", r => Ratio(r, "W6", PeerNames.DataWeaver, PeerNames.RawLoop)),

        // Issue 13: CPU time per record (all threads) against the raw loop's, and defaults against the tuned options.
        new("W1", "dataweaver (struct operators) CPU/record / raw-loop's", 4, false, "x", r => CpuRatio(r, "W1", PeerNames.DataWeaver, PeerNames.RawLoop)),
        new("W1", "dataweaver-lambdas CPU/record / raw-loop's", 10, false, "x", r => CpuRatio(r, "W1", PeerNames.DataWeaverLambdas, PeerNames.RawLoop)),
        new("W2", "dataweaver-lambdas CPU/record / raw-loop's", 2, false, "x", r => CpuRatio(r, "W2", PeerNames.DataWeaverLambdas, PeerNames.RawLoop)),
        new("W2", "dataweaver (struct operators) CPU/record / raw-loop's", 2, false, "x", r => CpuRatio(r, "W2", PeerNames.DataWeaver, PeerNames.RawLoop)),
        new("W2", "dataweaver (struct operators) CPU/record / dataweaver-lambdas'", 1, false, "x", r => CpuRatio(r, "W2", PeerNames.DataWeaver, PeerNames.DataWeaverLambdas)),
        new("W1", "dataweaver-defaults CPU/record / tuned dataweaver's", 1.2, false, "x", r => CpuRatio(r, "W1", PeerNames.DataWeaverDefaults, PeerNames.DataWeaver)),
        new("W2", "dataweaver-defaults CPU/record / tuned dataweaver's", 1.2, false, "x", r => CpuRatio(r, "W2", PeerNames.DataWeaverDefaults, PeerNames.DataWeaver)),
        new("W1", "dataweaver-defaults bytes/record", 0.1, false, " B", r => Bytes(r, "W1", PeerNames.DataWeaverDefaults)),
        new("W2", "dataweaver-defaults bytes/record", 0.1, false, " B", r => Bytes(r, "W2", PeerNames.DataWeaverDefaults)),
        new("W4", "dataweaver throughput / raw-loop", 0.8, true, "x", r => Ratio(r, "W4", PeerNames.DataWeaver, PeerNames.RawLoop)),
        new("W7", "quickstart warm in process: dataweaver CPU/record / hand-written loop's (cold CLI goal: 2x, perf/quickstart-cold.sh)", 2, false, "x", r => CpuRatio(r, "W7", PeerNames.DataWeaver, PeerNames.RawLoop)),
    ];

    /// <summary>
    /// Which part of issue 13 moves a goal: the JSON record path (item 2: W3, W4, the quickstart's transforms), Kafka
    /// (item 4: W6), the fused core and its defaults (item 1: W1, W2).
    /// </summary>
    public static string Owner(Goal goal) => goal.Workload switch
    {
        "W3" or "W4" => "JSON record path (2)",
        "W6" => "Kafka (4)",
        "W7" => "JSON record path (2), start-up (3)",
        _ => "fused core, defaults (1)",
    };

    public static bool Met(Goal goal, double value) => goal.AtLeast ? value >= goal.Target : value <= goal.Target;

    private static WorkloadResult? Find(IReadOnlyList<WorkloadResult> results, string name) => results.FirstOrDefault(r => r.Name == name);

    private static double Ratio(IReadOnlyList<WorkloadResult> results, string workload, string peer, string reference) =>
        Find(results, workload)?.Ratio(peer, reference) ?? double.NaN;

    private static double Extra(IReadOnlyList<WorkloadResult> results, string workload, string key) =>
        Find(results, workload)?.Peer(PeerNames.DataWeaver)?.Extra(key) ?? double.NaN;

    private static double Bytes(IReadOnlyList<WorkloadResult> results, string workload, string peer = PeerNames.DataWeaver) =>
        Find(results, workload)?.Peer(peer)?.BytesPerRecord ?? double.NaN;

    /// <summary>CPU time per record of <paramref name="peer"/> over <paramref name="reference"/>'s (lower is better), or NaN.</summary>
    private static double CpuRatio(IReadOnlyList<WorkloadResult> results, string workload, string peer, string reference) =>
        Find(results, workload) is { } w && w.Peer(peer) is { } p && w.Peer(reference) is { } r ? p.CpuNsPerRecord / r.CpuNsPerRecord : double.NaN;
}
