using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Windowing;

namespace DataWeaver.Tests.Stateful;

/// <summary>Early results of open windows (<see cref="WindowOptions.EarlyResultEvery"/>).</summary>
public sealed class WindowEarlyResultTests
{
    [Theory]
    [InlineData(WindowKind.Tumbling, 1)]
    [InlineData(WindowKind.Tumbling, 257)]
    [InlineData(WindowKind.Hopping, 100)]
    public async Task WindowByEventTime_EarlyResultsEvery500Records_FinalResultsEqualTheReferenceAndEarlyCountsGrowToThem(WindowKind kind, int batchSize)
    {
        const int Count = 30_000;
        var size = TimeSpan.FromSeconds(10);
        var disorder = TimeSpan.FromSeconds(2);
        var events = WindowTests.RandomEvents(Count, seed: 23, disorderMs: 2_000, lateEvery: 100, lateByMs: 30_000);
        var options = new WindowOptions
        {
            Kind = kind,
            Size = size,
            Hop = kind == WindowKind.Hopping ? TimeSpan.FromSeconds(5) : null,
            MaxOutOfOrderness = disorder,
            EarlyResultEvery = 500,
        };

        var withEarly = await RunAsync(events, options, batchSize);
        var without = await RunAsync(events, options with { EarlyResultEvery = null }, batchSize);

        // The final results are those of the run without early results (itself checked against the brute-force
        // reference in WindowTests), one per (key, window).
        var finals = withEarly.Where(r => !r.IsEarly).Select(r => (r.Key, r.Start, r.Count, r.Sum, r.Min, r.Max)).Order().ToList();
        Assert.Equal(without.Select(r => (r.Key, r.Start, r.Count, r.Sum, r.Min, r.Max)).Order().ToList(), finals);
        if (kind == WindowKind.Tumbling)
        {
            var (expected, _) = WindowTests.Reference(events, size, disorder);
            Assert.Equal(expected.Order().ToList(), finals);
        }

        // Early results: some of them, each before its window's final result, counts never decreasing and never past the final.
        var early = withEarly.Count(r => r.IsEarly);
        Assert.InRange(early, 100, Count * 2);
        var final = withEarly.Where(r => !r.IsEarly).ToDictionary(r => (r.Key, r.Start), r => r.Count);
        var seen = new Dictionary<(int, DateTimeOffset), long>();
        var closed = new HashSet<(int, DateTimeOffset)>();
        foreach (var r in withEarly)
        {
            var window = (r.Key, r.Start);
            Assert.DoesNotContain(window, closed); // nothing after the final result (no lateness here)
            if (!r.IsEarly)
            {
                closed.Add(window);
                continue;
            }

            Assert.True(r.Count >= seen.GetValueOrDefault(window), $"{window}: {r.Count} after {seen.GetValueOrDefault(window)}");
            Assert.True(r.Count <= final[window], $"{window}: early {r.Count} beyond the final {final[window]}");
            seen[window] = r.Count;
        }
    }

    [Fact]
    public void Build_EarlyResultsWithSessionWindows_FailsNamingTheOption()
    {
        var error = Assert.ThrowsAny<Exception>(() => Pipeline.From(new CollectionSource<(int Key, long Ms, long Value)>([]))
            .WindowByEventTime(e => Reading.Epoch.AddMilliseconds(e.Ms), e => e.Key, e => e.Value, new WindowOptions { Kind = WindowKind.Session, EarlyResultEvery = 10 })
            .To(new CollectionSink<WindowResult<int>>()).Build());
        Assert.Contains("early results are not available for session windows", error.Message, StringComparison.Ordinal);
    }

    private static async Task<List<WindowResult<int>>> RunAsync((int Key, long Ms, long Value)[] events, WindowOptions options, int batchSize)
    {
        var sink = new CollectionSink<WindowResult<int>>();
        var run = Pipeline.From(new CollectionSource<(int Key, long Ms, long Value)>(events), new PipelineOptions { BatchSize = batchSize })
            .WindowByEventTime(e => Reading.Epoch.AddMilliseconds(e.Ms), e => e.Key, e => e.Value, options)
            .OnError(e => e.Skip())
            .To(sink)
            .Build()
            .Start();
        await run.Completion;
        Assert.Equal(new SourcePosition(0, events.Length), Assert.Single(run.AcknowledgedPositions));
        return [.. sink.Records];
    }
}
