namespace DataWeaver.Perf.Harness;

/// <summary>What one iteration of a peer reports beside the harness's own clock.</summary>
/// <param name="Elapsed">The time to count instead of the whole run (W6 leaves out the consumer-group join), or <see langword="null"/>.</param>
/// <param name="Extras">Workload-specific figures of this iteration (W5 latencies, working set), or <see langword="null"/>.</param>
internal readonly record struct Iteration(TimeSpan? Elapsed = null, IReadOnlyDictionary<string, double>? Extras = null);

/// <summary>One peer of a workload: a name and one full iteration (all records, start to finish).</summary>
/// <param name="Name">The peer name (<see cref="PeerNames"/>).</param>
/// <param name="RunAsync">Runs one iteration; <c>verify</c> is true on the first warm-up run, which checks the output against the reference.</param>
internal sealed record PeerBench(string Name, Func<bool, Task<Iteration>> RunAsync);

/// <summary>A workload: its input is built in <see cref="SetupAsync"/>, before anything is timed.</summary>
internal abstract class Workload : IAsyncDisposable
{
    /// <summary>Gets W1..W6.</summary>
    public abstract string Name { get; }

    /// <summary>Gets what the workload does, in a few words.</summary>
    public abstract string Title { get; }

    /// <summary>Gets how many records one iteration moves.</summary>
    public abstract long Records { get; }

    /// <summary>Changes the warm-up and iteration counts for this workload (W6: each run costs a 3 s group join).</summary>
    public virtual RunSettings Adjust(RunSettings settings) => settings;

    /// <summary>Builds the input (not timed).</summary>
    public virtual ValueTask SetupAsync() => default;

    /// <summary>The peers, raw-loop first (its verified output is the reference of the others).</summary>
    public abstract IEnumerable<PeerBench> Peers();

    /// <summary>Figures derived from a peer's measured result (W3's GB/s), added to its extras.</summary>
    public virtual IReadOnlyDictionary<string, double> Derive(PeerResult result) => new Dictionary<string, double>();

    public virtual ValueTask DisposeAsync() => default;

    /// <summary>Throws when a peer computed something else than the reference: a peer that skips work must not win.</summary>
    protected static void Check(bool ok, string what)
    {
        if (!ok)
        {
            throw new InvalidOperationException($"Verification failed: {what}.");
        }
    }
}
