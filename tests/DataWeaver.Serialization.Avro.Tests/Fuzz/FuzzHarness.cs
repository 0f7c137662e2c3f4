using System.Diagnostics;
using DataWeaver.Errors;

namespace DataWeaver.Serialization.Avro.Tests.Fuzz;

/// <summary>What one fuzz run saw.</summary>
internal sealed record FuzzReport(string Decoder, int Seed, int Cases, int Accepted, int Rejected, TimeSpan Elapsed, long MaxAllocatedPerCase)
{
    public override string ToString() =>
        $"{Decoder}: seed {Seed}, {Cases:N0} cases ({Accepted:N0} decoded, {Rejected:N0} rejected as data errors) in {Elapsed.TotalSeconds:F2} s, " +
        $"at most {MaxAllocatedPerCase:N0} bytes allocated by one case";
}

/// <summary>
/// Runs seeded fuzz cases on a dedicated thread under guards: every case must finish within a per-case time
/// limit (a hang names the case and its input), allocate at most a bounded number of bytes (amplification),
/// and either decode or throw a data error (<see cref="DataWeaverException"/> with <see cref="ErrorClass.Data"/>:
/// <see cref="DeserializationException"/>, <see cref="RecordTooLargeException"/>). Anything else fails the run
/// with the seed, the case number and the input in hex, so that the case can be replayed.
/// </summary>
internal static class FuzzHarness
{
    /// <summary>The case count per decoder; <c>AVRO_FUZZ_CASES</c> overrides it for longer local runs.</summary>
    public static int Cases => int.TryParse(Environment.GetEnvironmentVariable("AVRO_FUZZ_CASES"), out var n) && n > 0 ? n : 100_000;

    /// <summary>The seed; <c>AVRO_FUZZ_SEED</c> overrides the test's own seed.</summary>
    public static int Seed(int defaultSeed) => int.TryParse(Environment.GetEnvironmentVariable("AVRO_FUZZ_SEED"), out var s) ? s : defaultSeed;

    public static FuzzReport Run(
        string decoder,
        int seed,
        int cases,
        Func<Random, byte[]> generate,
        Action<int, byte[]> decode,
        TimeSpan? perCaseLimit = null,
        TimeSpan? overallLimit = null,
        long maxAllocatedPerCase = 32L * 1024 * 1024)
    {
        var perCase = perCaseLimit ?? TimeSpan.FromSeconds(5);
        var overall = overallLimit ?? TimeSpan.FromSeconds(60);
        var state = new RunState();
        var watch = Stopwatch.StartNew();
        var thread = new Thread(() => Loop(state, seed, cases, generate, decode, maxAllocatedPerCase))
        {
            IsBackground = true,
            Name = "avro-fuzz-" + decoder,
        };
        thread.Start();

        while (!thread.Join(20))
        {
            var caseStarted = Volatile.Read(ref state.CaseStartedTicks);
            if (caseStarted != 0 && Stopwatch.GetElapsedTime(caseStarted) > perCase)
            {
                Assert.Fail($"{decoder}: case {state.CurrentCase} (seed {seed}) ran longer than {perCase.TotalSeconds} s: a hang. Input: {Hex(state.CurrentInput)}");
            }

            if (watch.Elapsed > overall)
            {
                Assert.Fail($"{decoder}: {state.CurrentCase:N0} of {cases:N0} cases (seed {seed}) took longer than {overall.TotalSeconds} s");
            }
        }

        watch.Stop();
        if (state.Failures.Count > 0)
        {
            Assert.Fail($"{decoder}: {state.FailureCount} failing case(s) out of {cases:N0} (seed {seed}); the first ones:{Environment.NewLine}{string.Join(Environment.NewLine, state.Failures)}");
        }

        return new FuzzReport(decoder, seed, cases, state.Accepted, state.Rejected, watch.Elapsed, state.MaxAllocated);
    }

    public static string Hex(byte[]? input) =>
        input is null ? "(none)" : input.Length <= 512 ? Convert.ToHexString(input) : Convert.ToHexString(input, 0, 512) + $"... ({input.Length} bytes)";

    private static void Loop(RunState state, int seed, int cases, Func<Random, byte[]> generate, Action<int, byte[]> decode, long maxAllocated)
    {
        var random = new Random(seed);
        for (var i = 0; i < cases; i++)
        {
            var input = generate(random);
            state.CurrentCase = i;
            state.CurrentInput = input;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            Volatile.Write(ref state.CaseStartedTicks, Stopwatch.GetTimestamp());
            try
            {
                decode(i, input);
                state.Accepted++;
            }
            catch (DataWeaverException ex) when (ex.ErrorClass == ErrorClass.Data)
            {
                state.Rejected++;
            }
            catch (Exception ex)
            {
                state.Fail($"case {i}: {ex.GetType().FullName}: {ex.Message}{Environment.NewLine}  input: {Hex(input)}{Environment.NewLine}  at {ex.StackTrace?.Split(Environment.NewLine).FirstOrDefault()?.Trim()}");
            }

            Volatile.Write(ref state.CaseStartedTicks, 0);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            state.MaxAllocated = Math.Max(state.MaxAllocated, allocated);
            if (allocated > maxAllocated)
            {
                state.Fail($"case {i}: allocated {allocated:N0} bytes for a {input.Length}-byte input (limit {maxAllocated:N0}){Environment.NewLine}  input: {Hex(input)}");
            }
        }
    }

    private sealed class RunState
    {
        public long CaseStartedTicks;
        public volatile int CurrentCase;
        public volatile byte[]? CurrentInput;

        public int Accepted { get; set; }

        public int Rejected { get; set; }

        public long MaxAllocated { get; set; }

        public int FailureCount { get; private set; }

        public List<string> Failures { get; } = [];

        public void Fail(string failure)
        {
            FailureCount++;
            if (Failures.Count < 5)
            {
                Failures.Add(failure);
            }
        }
    }
}
