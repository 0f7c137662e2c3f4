using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Windowing;

namespace DataWeaver.Tests.Stateful;

/// <summary>The approximate distinct count and reduce examples of docs/stateful.md, run.</summary>
public sealed class AggregateDocsExamples
{
    private static readonly DateTimeOffset Start = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task ApproximateDistinct_DocsExample_EstimatesBesideTheExactCount()
    {
        // 20,000 page views of 5,000 visitors (visitor ids as numbers) on 3 pages, all in one hour.
        var views = new CollectionSource<PageView>([.. Enumerable.Range(0, 20_000).Select(i => new PageView($"page-{i % 3}", (i * 7919) % 5_000, Start.AddMilliseconds(i * 100)))]);
        var perHour = new CollectionSink<WindowResult<string>>();

        // snippet: stateful-approximate-distinct
        var pipeline = Pipeline.From(views)
            .WindowByEventTime(
                v => v.At,
                v => v.Page,
                v => v.VisitorId,                      // the value counted distinct
                new WindowOptions
                {
                    Size = TimeSpan.FromHours(1),
                    DistinctCount = true,              // exact: about 40 bytes per distinct value
                    ApproximateDistinctPrecision = 14, // a 16 KiB sketch per page and hour, 0.8 % standard error
                })
            .To(perHour)
            .Build();
        // end snippet
        await pipeline.RunAsync();

        Assert.Equal(3, perHour.Records.Count);
        foreach (var page in perHour.Records)
        {
            Assert.Equal(5_000, page.DistinctCount); // 7919 is prime to 5,000: every visitor on every page
            Assert.InRange(page.ApproximateDistinctCount!.Value, 5_000 * (1 - (3 * 0.0082)), 5_000 * (1 + (3 * 0.0082)));
        }
    }

    [Fact]
    public async Task Reduce_DocsExample_PerKeyAndGlobal()
    {
        SensorReading[] data =
        [
            new("s1", Start.AddSeconds(5), 20.5), new("s2", Start.AddSeconds(10), 18.0),
            new("s1", Start.AddSeconds(40), 22.0), new("s1", Start.AddSeconds(70), 21.0),
        ];
        var readings = new CollectionSource<SensorReading>(data);
        var hottest = new CollectionSink<WindowOutput<string, SensorReading>>();
        var allReadings = new CollectionSource<SensorReading>(data);
        var overall = new CollectionSink<WindowOutput<string, SensorReading>>();

        // snippet: stateful-reduce
        var perSensor = Pipeline.From(readings)
            .ReduceByEventTime(
                r => r.At,
                r => r.Sensor,                                            // per key
                (hot, r) => r.Temperature > hot.Temperature ? r : hot,    // the hottest reading per sensor and minute
                new WindowOptions { Size = TimeSpan.FromMinutes(1) })
            .To(hottest)
            .Build();

        var global = Pipeline.From(allReadings)
            .ReduceByEventTime(
                r => r.At,                                                // no key: all records
                (hot, r) => r.Temperature > hot.Temperature ? r : hot,
                new WindowOptions { Size = TimeSpan.FromMinutes(1) })
            .To(overall)
            .Build();
        // end snippet
        await perSensor.RunAsync();
        await global.RunAsync();

        Assert.Equal(
            [("s1", Start, 22.0), ("s1", Start.AddMinutes(1), 21.0), ("s2", Start, 18.0)],
            hottest.Records.Select(r => (r.Key, r.Start, r.Value.Temperature)).Order());
        Assert.Equal([(Start, 22.0), (Start.AddMinutes(1), 21.0)], overall.Records.Select(r => (r.Start, r.Value.Temperature)).Order());
    }

    internal sealed record PageView(string Page, double VisitorId, DateTimeOffset At);

    internal sealed record SensorReading(string Sensor, DateTimeOffset At, double Temperature);
}
