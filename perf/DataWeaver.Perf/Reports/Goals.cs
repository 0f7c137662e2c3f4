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
    ];

    public static bool Met(Goal goal, double value) => goal.AtLeast ? value >= goal.Target : value <= goal.Target;

    private static WorkloadResult? Find(IReadOnlyList<WorkloadResult> results, string name) => results.FirstOrDefault(r => r.Name == name);

    private static double Ratio(IReadOnlyList<WorkloadResult> results, string workload, string peer, string reference) =>
        Find(results, workload)?.Ratio(peer, reference) ?? double.NaN;

    private static double Extra(IReadOnlyList<WorkloadResult> results, string workload, string key) =>
        Find(results, workload)?.Peer(PeerNames.DataWeaver)?.Extra(key) ?? double.NaN;

    private static double Bytes(IReadOnlyList<WorkloadResult> results, string workload) =>
        Find(results, workload)?.Peer(PeerNames.DataWeaver)?.BytesPerRecord ?? double.NaN;
}
