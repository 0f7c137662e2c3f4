using System.Diagnostics;

using Xunit.Abstractions;

namespace DataWeaver.Windowing.CrashTests;

/// <summary>
/// The input of a windowed count and its reference: events 2 ms apart in event time, each up to 500 ms later than its
/// slot (disorder), over <see cref="Keys"/> keys, counted in 1-second tumbling windows with 1 s of out-of-orderness. As a
/// record arrives at least 2 ms after the slot of the one before, it is never behind the watermark (the newest time
/// minus 1 s): no record is late, in any run, wherever a restart resumes, so every window's count is fixed by the input.
/// </summary>
public static class WindowedInput
{
    /// <summary>The window size in milliseconds.</summary>
    public const int WindowMs = 1_000;

    /// <summary>The out-of-orderness in milliseconds.</summary>
    public const int OutOfOrdernessMs = 1_000;

    /// <summary>The number of keys.</summary>
    public const int Keys = 40;

    /// <summary>The first event time (2026-01-01T00:00:00Z) in Unix milliseconds.</summary>
    public static readonly long StartMs = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds();

    /// <summary>Makes <paramref name="count"/> events.</summary>
    /// <param name="count">How many.</param>
    /// <param name="seed">The random seed.</param>
    /// <returns>The events in source order.</returns>
    public static Event[] Create(int count, int seed)
    {
        var random = new Random(seed);
        var events = new Event[count];
        for (var i = 0; i < count; i++)
        {
            events[i] = new Event(i + 1, "k" + random.Next(Keys).ToString(System.Globalization.CultureInfo.InvariantCulture), StartMs + (2L * i) + random.Next(500));
        }

        return events;
    }

    /// <summary>Counts the events per key and window by brute force.</summary>
    /// <param name="events">The events.</param>
    /// <returns>The count per (key, window start in Unix ms).</returns>
    public static Dictionary<(string Key, long StartMs), long> Reference(IEnumerable<Event> events)
    {
        var counts = new Dictionary<(string, long), long>();
        foreach (var e in events)
        {
            var key = (e.Key, e.AtMs - (e.AtMs % WindowMs));
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        return counts;
    }

    /// <summary>Waits until <paramref name="condition"/> holds; fails after <paramref name="guard"/> (a hang guard).</summary>
    /// <param name="condition">The condition, polled.</param>
    /// <param name="guard">How long at most.</param>
    /// <param name="what">What was awaited, for the message.</param>
    /// <returns>A task that completes once the condition holds.</returns>
    public static async Task WaitUntilAsync(Func<bool> condition, TimeSpan guard, Func<string> what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (clock.Elapsed > guard)
            {
                throw new TimeoutException("waited in vain for " + what());
            }

            await Task.Delay(10);
        }
    }

    /// <summary>One input event.</summary>
    /// <param name="Id">Its sequence number from 1.</param>
    /// <param name="Key">Its key.</param>
    /// <param name="AtMs">Its event time in Unix milliseconds.</param>
    public readonly record struct Event(int Id, string Key, long AtMs);
}

/// <summary>
/// Window results as a de-duplicating sink keeps them: the first result per (key, window start) wins. A restarted run
/// re-reads from the last commit, and may re-read records of windows already emitted and written (records behind the
/// first uncommitted one in the source, but in an earlier window); it emits those windows again with only the records
/// it re-read, so every later result of a window must be at most its first (checked as they come).
/// </summary>
public sealed class WindowResults
{
    private readonly Dictionary<(string Key, long StartMs), long> first = [];
    private readonly Dictionary<(string Key, long StartMs), long> last = [];

    /// <summary>Gets the first result per (key, window start).</summary>
    public IReadOnlyDictionary<(string Key, long StartMs), long> First => first;

    /// <summary>Gets the last result per (key, window start): what an upserting sink ends with.</summary>
    public IReadOnlyDictionary<(string Key, long StartMs), long> Last => last;

    /// <summary>Gets how many windows an upserting sink (the last result wins) would end with a count other than the first.</summary>
    public int LastDiffers => last.Count(l => first[l.Key] != l.Value);

    /// <summary>Gets how many results were read.</summary>
    public int Results { get; private set; }

    /// <summary>Gets how many results repeated a window already written with the same count.</summary>
    public int Repeats { get; private set; }

    /// <summary>Gets how many results repeated a window already written with a smaller count (a partial re-emission).</summary>
    public int Partials { get; private set; }

    /// <summary>Gets the results that repeated a window with a larger count than its first (must stay empty).</summary>
    public List<string> Larger { get; } = [];

    /// <summary>Adds a result in the order the sink wrote it.</summary>
    /// <param name="key">The key.</param>
    /// <param name="startMs">The window's start in Unix ms.</param>
    /// <param name="count">The count.</param>
    public void Add(string key, long startMs, long count)
    {
        Results++;
        last[(key, startMs)] = count;
        if (!first.TryGetValue((key, startMs), out var earlier))
        {
            first.Add((key, startMs), count);
        }
        else if (count == earlier)
        {
            Repeats++;
        }
        else if (count < earlier)
        {
            Partials++;
        }
        else
        {
            Larger.Add($"{key}@{startMs}: {earlier} then {count}");
        }
    }

    /// <summary>Compares the first results with an expectation exactly.</summary>
    /// <param name="expected">The expected count per (key, window start).</param>
    /// <returns>(missing, extra, wrong count) and up to 5 examples.</returns>
    public (int Missing, int Extra, int Wrong, string Examples) Compare(IReadOnlyDictionary<(string Key, long StartMs), long> expected)
    {
        var examples = new List<string>();
        int missing = 0, wrong = 0;
        foreach (var (window, count) in expected)
        {
            if (!first.TryGetValue(window, out var actual))
            {
                missing++;
                examples.Add($"missing {window.Key}@{window.StartMs}");
            }
            else if (actual != count)
            {
                wrong++;
                examples.Add($"{window.Key}@{window.StartMs}: {actual}, expected {count}");
            }
        }

        var extra = first.Keys.Count(k => !expected.ContainsKey(k));
        return (missing, extra, wrong, string.Join("; ", examples.Take(5)));
    }

    /// <summary>
    /// Asserts that the uninterrupted run's results equal the reference and the killed runs' first results equal the
    /// uninterrupted run's exactly (none missing, none extra, every count equal), and that no later result of a window
    /// was larger than its first; writes the figures to the test's output.
    /// </summary>
    /// <param name="output">The test's output.</param>
    /// <param name="records">The records read.</param>
    /// <param name="reference">The brute-force count.</param>
    /// <param name="uninterrupted">The results of the run never killed.</param>
    /// <param name="restarted">The results of the killed and restarted runs.</param>
    /// <param name="kills">The kills.</param>
    /// <param name="runs">The runs, the last one included.</param>
    public static void AssertSame(
        ITestOutputHelper output, int records, Dictionary<(string Key, long StartMs), long> reference, WindowResults uninterrupted, WindowResults restarted, int kills, int runs)
    {
        var (missing, extra, wrong, examples) = restarted.Compare(uninterrupted.First);
        var (refMissing, refExtra, refWrong, refExamples) = uninterrupted.Compare(reference);
        output.WriteLine(
            $"{records:N0} records, {reference.Count:N0} windows x keys; uninterrupted: {uninterrupted.Results:N0} results " +
            $"(against the reference: missing {refMissing}, extra {refExtra}, wrong {refWrong}); {kills} kills, {runs} runs: " +
            $"{restarted.Results:N0} results, {restarted.Repeats} repeated, {restarted.Partials} partial re-emissions " +
            $"(the last result differs from the first in {restarted.LastDiffers} windows); " +
            $"against the uninterrupted run: missing {missing}, extra {extra}, wrong {wrong}. {examples} {refExamples}");
        Assert.Equal((0, 0, 0), (refMissing, refExtra, refWrong));
        Assert.Equal((0, 0, 0), (missing, extra, wrong));
        Assert.Empty(restarted.Larger);
    }

    /// <summary>
    /// With the window's state checkpointed: asserts everything <see cref="AssertSame"/> does, and that the last result
    /// per window (what an upserting sink keeps) equals the uninterrupted run's and the reference exactly, with no
    /// partial re-emission at all.
    /// </summary>
    /// <param name="output">The test's output.</param>
    /// <param name="records">The records read.</param>
    /// <param name="reference">The brute-force count.</param>
    /// <param name="uninterrupted">The results of the run never killed.</param>
    /// <param name="restarted">The results of the killed and restarted runs.</param>
    /// <param name="kills">The kills.</param>
    /// <param name="runs">The runs, the last one included.</param>
    public static void AssertLastWins(
        ITestOutputHelper output, int records, Dictionary<(string Key, long StartMs), long> reference, WindowResults uninterrupted, WindowResults restarted, int kills, int runs)
    {
        AssertSame(output, records, reference, uninterrupted, restarted, kills, runs);
        var lastWrong = reference.Count(r => !restarted.last.TryGetValue(r.Key, out var count) || count != r.Value);
        var lastExtra = restarted.last.Keys.Count(k => !reference.ContainsKey(k));
        output.WriteLine($"last result per window against the reference: {lastWrong} wrong or missing, {lastExtra} extra; partial re-emissions {restarted.Partials}");
        Assert.Equal(0, restarted.Partials);
        Assert.Equal((0, 0), (lastWrong, lastExtra));
        Assert.Equal(0, restarted.LastDiffers);
    }
}
