namespace DataWeaver.Perf.Harness;

/// <summary>One peer's figures in one workload: medians over the timed iterations.</summary>
/// <param name="Name">The peer (see <see cref="PeerNames"/>).</param>
/// <param name="NsPerRecord">Wall time per record, median.</param>
/// <param name="BytesPerRecord">Bytes allocated per record (all threads, <c>GC.GetTotalAllocatedBytes(precise: true)</c>), median.</param>
/// <param name="CpuNsPerRecord">Process CPU time per record (all threads), median.</param>
/// <param name="Extras">Workload-specific figures (W5 latency and working set, W3 GB/s), taken from the median iteration.</param>
internal sealed record PeerResult(string Name, double NsPerRecord, double BytesPerRecord, double CpuNsPerRecord, IReadOnlyDictionary<string, double> Extras)
{
    public double RecordsPerSecond => 1e9 / NsPerRecord;

    public double Extra(string key) => Extras.TryGetValue(key, out var value) ? value : double.NaN;
}

/// <summary>One workload's results.</summary>
/// <param name="Name">W1..W6.</param>
/// <param name="Title">What it does, in a few words.</param>
/// <param name="Records">Records per iteration.</param>
/// <param name="Peers">The peers that ran, in table order.</param>
internal sealed record WorkloadResult(string Name, string Title, long Records, IReadOnlyList<PeerResult> Peers)
{
    public PeerResult? Peer(string name) => Peers.FirstOrDefault(p => p.Name == name);

    /// <summary>Throughput of <paramref name="peer"/> divided by the throughput of <paramref name="reference"/> (higher is better), or NaN.</summary>
    public double Ratio(string peer, string reference) =>
        Peer(peer) is { } p && Peer(reference) is { } r ? r.NsPerRecord / p.NsPerRecord : double.NaN;
}

/// <summary>The peer names, exactly as the issue spells them, in table order, and the extra rows.</summary>
internal static class PeerNames
{
    public const string RawLoop = "raw-loop";
    public const string NaiveDataflow = "naive-dataflow";
    public const string NaiveDataflowBounded = "naive-dataflow-bounded";
    public const string Channels = "channels";
    public const string Rx = "rx";
    public const string RxObserveOn = "rx-observeon";
    public const string DataWeaver = "dataweaver";

    /// <summary>W1, W2: the same pipeline with lambdas instead of struct operators.</summary>
    public const string DataWeaverLambdas = "dataweaver-lambdas";

    /// <summary>W1: every identity stage in its own block (no fusion), to show the hop cost itself.</summary>
    public const string DataWeaverStages = "dataweaver-stages";

    /// <summary>W3/W4: the JsonSerializer-object round trip (typed objects), one thread.</summary>
    public const string JsonSerializerObject = "jsonserializer-object";

    /// <summary>W1/W2: Akka.Streams 1.5.75 as Akka fuses it by default (one actor runs every stage).</summary>
    public const string AkkaStreams = "akka-streams";

    /// <summary>W1/W2: Akka.Streams with an asynchronous boundary after the source and every stage.</summary>
    public const string AkkaStreamsAsync = "akka-streams-async";

    /// <summary>W1/W2: the same pipeline as <see cref="DataWeaver"/> with every option at its default.</summary>
    public const string DataWeaverDefaults = "dataweaver-defaults";

    /// <summary>The peers every workload lists, printed n/a where they do not apply.</summary>
    public static IReadOnlyList<string> Canonical { get; } = [RawLoop, NaiveDataflow, NaiveDataflowBounded, Channels, Rx, RxObserveOn, DataWeaver];

    /// <summary>Extra rows, after the canonical ones.</summary>
    public static IReadOnlyList<string> ExtraRows { get; } = [DataWeaverLambdas, DataWeaverStages, DataWeaverDefaults, JsonSerializerObject, AkkaStreams, AkkaStreamsAsync];
}
