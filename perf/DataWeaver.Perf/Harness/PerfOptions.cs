namespace DataWeaver.Perf.Harness;

/// <summary>The command line: <c>[--quick] [--gate] [--json FILE] [--docs DIR] [--only W1,W3] [--peers dataweaver,...] [--iterations N] [--alloc-types]</c>.</summary>
internal sealed record PerfOptions
{
    /// <summary>Gets a value indicating whether the small sizes run (the CI gate's mode; well under 2 minutes on 2 cores).</summary>
    public bool Quick { get; init; }

    /// <summary>Gets a value indicating whether the floors are checked; a floor missed makes the exit code 1.</summary>
    public bool Gate { get; init; }

    /// <summary>Gets where the JSON results go, or <see langword="null"/>.</summary>
    public string? JsonPath { get; init; }

    /// <summary>Gets the folder that receives results.md and the SVG charts, or <see langword="null"/>.</summary>
    public string? DocsDirectory { get; init; }

    /// <summary>Gets a value indicating whether the timed iterations' allocations are sampled by type (printed to standard error).</summary>
    public bool AllocationTypes { get; init; }

    /// <summary>Gets the workloads to run (W1..W6); empty runs all.</summary>
    public IReadOnlySet<string> Only { get; init; } = new HashSet<string>();

    /// <summary>Gets the sample ratio of DataWeaver's traces while the workloads run (an OpenTelemetry tracer provider with a discarding exporter), or <see langword="null"/> for no listener (the default).</summary>
    public double? TraceRatio { get; init; }

    /// <summary>Gets the timed iterations per peer when set (<c>--iterations N</c>, for allocation sampling over many runs), or <see langword="null"/> for the mode's own (5, quick 3).</summary>
    public int? Iterations { get; init; }

    /// <summary>Gets the peers to measure besides raw-loop (always measured: it is the reference and writes the expected output); empty measures all.</summary>
    public IReadOnlySet<string> OnlyPeers { get; init; } = new HashSet<string>();

    /// <summary>Gets the warm-up and iteration counts for this mode.</summary>
    public RunSettings Settings => (Quick ? RunSettings.Quick : RunSettings.Full) with { Iterations = Iterations ?? (Quick ? RunSettings.Quick : RunSettings.Full).Iterations };

    /// <summary>Whether a peer is measured in this run.</summary>
    public bool Measures(string peer) => OnlyPeers.Count == 0 || OnlyPeers.Contains(peer) || peer == "raw-loop";

    public static PerfOptions Parse(string[] args)
    {
        var options = new PerfOptions();
        for (var i = 0; i < args.Length; i++)
        {
            options = args[i] switch
            {
                "--quick" => options with { Quick = true },
                "--gate" => options with { Gate = true },
                "--alloc-types" => options with { AllocationTypes = true },
                "--json" => options with { JsonPath = Value(args, ref i) },
                "--docs" => options with { DocsDirectory = Value(args, ref i) },
                "--trace-ratio" => options with { TraceRatio = double.Parse(Value(args, ref i), System.Globalization.CultureInfo.InvariantCulture) },
                "--iterations" => options with { Iterations = int.Parse(Value(args, ref i), System.Globalization.CultureInfo.InvariantCulture) },
                "--peers" => options with { OnlyPeers = Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase) },
                "--only" => options with { Only = Value(args, ref i).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.OrdinalIgnoreCase) },
                _ => throw new ArgumentException($"Unknown argument '{args[i]}'. Usage: [--quick] [--gate] [--json FILE] [--docs DIR] [--only W1,W3] [--peers dataweaver,...] [--iterations N] [--alloc-types]"),
            };
        }

        return options;
    }

    public bool Runs(string workload) => Only.Count == 0 || Only.Contains(workload);

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}

/// <summary>How each peer is measured: warm-up runs until both minimums are met, then timed iterations.</summary>
/// <param name="MinWarmups">Warm-up runs at least.</param>
/// <param name="WarmupTime">Warm-up time at least (lets tiered JIT reach its optimized code), unless <paramref name="MaxWarmups"/> comes first.</param>
/// <param name="MaxWarmups">Warm-up runs at most.</param>
/// <param name="Iterations">Timed iterations; the median is reported.</param>
internal sealed record RunSettings(int MinWarmups, TimeSpan WarmupTime, int MaxWarmups, int Iterations)
{
    public static RunSettings Full { get; } = new(1, TimeSpan.FromSeconds(1), 20, 5);

    public static RunSettings Quick { get; } = new(1, TimeSpan.FromMilliseconds(400), 20, 3);
}
