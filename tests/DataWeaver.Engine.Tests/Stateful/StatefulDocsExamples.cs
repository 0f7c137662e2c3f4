using System.Text.Json;
using DataWeaver.AsyncMap;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Deduplication;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Tests.Pipelines;
using DataWeaver.Windowing;

namespace DataWeaver.Tests.Stateful;

/// <summary>The examples of docs/stateful.md, run.</summary>
public sealed class StatefulDocsExamples
{
    [Fact]
    public async Task MapAsync_DocsExample_EnrichesInOrderAndDeadLettersUnknownCustomers()
    {
        var orders = new CollectionSource<Order>([new(1, "c1", 0, null), new(2, "c9", 0, null), new(3, "c2", 0, null)]);
        var customers = new CustomerService(new() { ["c1"] = "Ann", ["c2"] = "Bob" });
        var sink = new CollectionSink<Order>();
        var deadLetters = new CollectionSink<DeadLetter>("unknown-customers");

        // snippet: stateful-mapasync
        var pipeline = Pipeline.From(orders)
            .MapAsync(
                async (order, ct) => order with { CustomerName = await customers.GetNameAsync(order.CustomerId, ct) },
                new AsyncMapOptions { MaxConcurrency = 64 })   // 64 calls at once; input order kept
            .OnError(e => e.Retry(3).Timeout(TimeSpan.FromSeconds(2)).DeadLetterTo(deadLetters))
            .To(sink)
            .Build();
        // end snippet
        await pipeline.RunAsync();

        Assert.Equal(["Ann", "Bob"], sink.Records.Select(o => o.CustomerName));
        Assert.Equal(2, ((Order)Assert.Single(deadLetters.Records).Value!).Id);
    }

    [Fact]
    public async Task Deduplicate_DocsExample_KeepsTheFirstOrderOfEachId()
    {
        var orders = new CollectionSource<Order>([new(1, "c1", 5, null), new(1, "c1", 5, null), new(2, "c2", 7, null)]);
        var sink = new CollectionSink<Order>();

        // snippet: stateful-dedupe
        var pipeline = Pipeline.From(orders)
            .Deduplicate(order => order.Id, new DeduplicationOptions { TimeToLive = TimeSpan.FromHours(1), MaxKeys = 5_000_000 })
            .To(sink)
            .Build();
        // end snippet
        await pipeline.RunAsync();

        Assert.Equal([1L, 2L], sink.Records.Select(o => o.Id));
    }

    [Fact]
    public async Task TumblingWindowByEventTime_DocsExample_CountsPerCustomerPerMinute()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var orders = new CollectionSource<(Order Order, DateTimeOffset PlacedAt)>(
        [
            (new(1, "c1", 10, null), start.AddSeconds(5)),
            (new(2, "c1", 30, null), start.AddSeconds(50)),
            (new(3, "c2", 20, null), start.AddSeconds(70)),
            (new(4, "c1", 99, null), start.AddSeconds(20)), // 50 s behind the newest: late, dead-lettered
        ]);
        var perMinute = new CollectionSink<WindowResult<string>>();
        var lateOrders = new CollectionSink<DeadLetter>("late");

        // snippet: stateful-window
        var pipeline = Pipeline.From(orders)
            .TumblingWindowByEventTime(
                o => o.PlacedAt,                 // event time
                o => o.Order.CustomerId,         // key
                o => o.Order.Amount,             // value for sum, min, max, average
                new TumblingWindowOptions { Size = TimeSpan.FromMinutes(1), MaxOutOfOrderness = TimeSpan.FromSeconds(10) })
            .OnError(e => e.DeadLetterTo(lateOrders))   // late records
            .To(perMinute)
            .Build();
        // end snippet
        await pipeline.RunAsync();

        Assert.Equal(
            [("c1", start, 2L, 40.0), ("c2", start.AddMinutes(1), 1L, 20.0)],
            perMinute.Records.Select(r => (r.Key, r.Start, r.Count, r.Sum)).OrderBy(r => r.Start));
        Assert.IsType<LateRecordException>(Assert.Single(lateOrders.Records).Exception);
    }

    [Fact]
    public async Task SessionWindow_DocsExample_OneSessionPerBurstWithALateUpdate()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var clicks = new CollectionSource<Click>(
        [
            new("u1", start.AddSeconds(0), 2), new("u1", start.AddSeconds(20), 3),                                // one burst
            new("u1", start.AddMinutes(10), 1), new("u2", start.AddMinutes(12), 4),                              // closes the first
            new("u1", start.AddSeconds(40), 5),                                                                   // late, within the lateness: updates it
        ]);
        var sessions = new CollectionSink<WindowResult<string>>();

        // snippet: stateful-session-window
        var pipeline = Pipeline.From(clicks, new PipelineOptions { BatchSize = 1 })
            .WindowByEventTime(
                c => c.At, c => c.UserId, c => c.Items,
                new WindowOptions
                {
                    Kind = WindowKind.Session,
                    Gap = TimeSpan.FromMinutes(5),                 // a session ends 5 minutes after its last click
                    MaxOutOfOrderness = TimeSpan.FromSeconds(30),
                    AllowedLateness = TimeSpan.FromMinutes(10),    // later clicks re-emit their session updated
                    DistinctCount = true,
                    StateBudgetBytes = 64L * 1024 * 1024,          // beyond it the run fails with WindowStateFullException
                })
            .To(sessions)
            .Build();
        // end snippet
        await pipeline.RunAsync();

        var u1 = sessions.Records.Where(r => r.Key == "u1" && r.Start == start).ToList();
        Assert.Equal([(2L, false), (3L, true)], u1.Select(r => (r.Count, r.IsUpdate)));
        Assert.Equal((10.0, 2.0, 5.0, 3L), (u1[^1].Sum, u1[^1].First, u1[^1].Last, u1[^1].DistinctCount!.Value));
        Assert.Equal(start.AddSeconds(40) + TimeSpan.FromMinutes(5), u1[^1].End);
    }

    [Fact]
    public async Task UserAggregator_DocsExample_CountsDistinctCustomersPerHop()
    {
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var orders = new CollectionSource<(Order Order, DateTimeOffset PlacedAt)>(
        [
            (new(1, "c1", 10, null), start.AddSeconds(5)),
            (new(2, "c2", 30, null), start.AddSeconds(35)),
            (new(3, "c1", 20, null), start.AddSeconds(70)),
        ]);
        var sink = new CollectionSink<WindowOutput<string, int>>();

        // snippet: stateful-user-aggregator
        var pipeline = Pipeline.From(orders)
            .WindowByEventTime(
                o => o.PlacedAt,
                o => "all",
                new DistinctCustomers(),
                new WindowOptions { Kind = WindowKind.Hopping, Size = TimeSpan.FromMinutes(1), Hop = TimeSpan.FromSeconds(30) })
            .To(sink)
            .Build();
        // end snippet
        await pipeline.RunAsync();

        Assert.Equal(
            [(start.AddSeconds(-30), 1), (start, 2), (start.AddSeconds(30), 2), (start.AddSeconds(60), 1)],
            sink.Records.Select(r => (r.Start, r.Value)).OrderBy(r => r.Start));
    }

    [Fact]
    public async Task Merge_DocsExample_ReadsBothSourcesEachCommittingItsOwn()
    {
        var europe = new CollectionSource<Order>([new(1, "c1", 10, null), new(2, "c2", 20, null)], "europe");
        var america = new CollectionSource<Order>([new(3, "c3", 30, null)], "america");
        var sink = new CollectionSink<Order>();

        // snippet: stateful-merge
        var pipeline = Pipeline.Merge([europe, america])   // each source keeps its own positions and commits
            .Map(order => order with { Amount = order.Amount * 1.19 })
            .To(sink)
            .Build();
        // end snippet
        await pipeline.RunAsync();

        Assert.Equal([1L, 2L, 3L], sink.Records.Select(o => o.Id).Order());
    }

    [Fact]
    public async Task CheckpointedWindow_DocsExample_RestartResumesTheOpenWindowAndEmitsEarlyCounts()
    {
        var dir = Directory.CreateTempSubdirectory("dw-docs-window-state-");
        try
        {
            var path = Path.Combine(dir.FullName, "orders.jsonl");
            var checkpoints = Path.Combine(dir.FullName, "checkpoints");
            var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
            string Lines(int from, int to) => string.Concat(Enumerable.Range(from, to - from).Select(i =>
                JsonSerializer.Serialize(new PlacedOrder("c" + (i % 3), i, start.AddSeconds(i))) + "\n"));
            await File.WriteAllTextAsync(path, Lines(0, 3_000)); // under an hour: the window stays open
            var upserts = new CollectionSink<WindowResult<string>>();

            for (var run = 0; run < 2; run++)
            {
                // snippet: stateful-window-checkpoint
                var source = new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = new FileCheckpointStore(checkpoints), Follow = true });
                var pipeline = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero })
                    .Map(r => JsonSerializer.Deserialize<PlacedOrder>(r.Value.Span)!)
                    .WindowByEventTime(
                        o => o.PlacedAt, o => o.CustomerId, o => o.Amount,
                        new WindowOptions
                        {
                            Size = TimeSpan.FromHours(1),
                            MaxOutOfOrderness = TimeSpan.FromMinutes(1),
                            CheckpointState = true,                        // open windows survive a restart, not re-read
                            SnapshotInterval = TimeSpan.FromSeconds(5),    // commits advance at most this often
                            EarlyResultEvery = 1_000,                      // current counts every 1,000 records (IsEarly)
                        })
                    .To(upserts)
                    .Build();
                // end snippet
                var running = pipeline.Start();
                await LifecycleTests.WaitUntil(() => running.Statistics.RecordsRead == 3_000);
                await running.StopAsync(); // the window is open: its state goes with the last commit
                await File.AppendAllTextAsync(path, Lines(3_000 * (run + 1), 3_000 * (run + 2)));
            }

            var last = new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = new FileCheckpointStore(checkpoints) });
            await Pipeline.From(last).Map(r => JsonSerializer.Deserialize<PlacedOrder>(r.Value.Span)!)
                .WindowByEventTime(o => o.PlacedAt, o => o.CustomerId, o => o.Amount, new WindowOptions { Size = TimeSpan.FromHours(1), MaxOutOfOrderness = TimeSpan.FromMinutes(1), CheckpointState = true })
                .To(upserts).Build().RunAsync();

            // Three runs, each reading only what was new: the final counts are those of all 9,000 orders.
            var finals = upserts.Records.Where(r => !r.IsEarly).GroupBy(r => (r.Key, r.Start)).ToDictionary(g => g.Key, g => g.Last().Count);
            Assert.Equal(9_000, finals.Values.Sum());
            Assert.Contains(upserts.Records, r => r.IsEarly);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WindowByEventTime_SpillDocsExample_SumsEveryCustomerBeyondTheBudget()
    {
        var spillDirectory = Path.Combine(Path.GetTempPath(), "dw-docs-spill", Guid.NewGuid().ToString("N"));
        var start = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var orders = new CollectionSource<PlacedOrder>([.. Enumerable.Range(0, 20_000).Select(i => new PlacedOrder("c" + (i % 5_000), i % 10, start.AddMilliseconds(i)))]);
        var perCustomer = new CollectionSink<WindowResult<string>>();
        try
        {
            // snippet: stateful-window-spill
            var pipeline = Pipeline.From(orders)
                .WindowByEventTime(
                    o => o.PlacedAt, o => o.CustomerId, o => o.Amount,
                    new WindowOptions
                    {
                        Size = TimeSpan.FromHours(1),
                        StateBudgetBytes = 256 * 1024,         // about 1,000 customers' aggregates in memory
                        SpillDirectory = spillDirectory,       // beyond: the largest windows' aggregates go to disk
                        SpillMaxBytes = 1L * 1024 * 1024 * 1024, // past 1 GiB of spill files: WindowSpillFullException
                    })
                .To(perCustomer)
                .Build();
            // end snippet
            await pipeline.RunAsync();

            // 5,000 customers, 4 orders each, in one window: every customer once, with all four amounts.
            Assert.Equal(5_000, perCustomer.Records.Count);
            Assert.All(perCustomer.Records, r => Assert.Equal(4, r.Count));
            Assert.Equal(Enumerable.Range(0, 20_000).Sum(i => i % 10), perCustomer.Records.Sum(r => r.Sum));
            Assert.Empty(Directory.EnumerateFiles(spillDirectory, "*", SearchOption.AllDirectories));
        }
        finally
        {
            Directory.Delete(spillDirectory, recursive: true);
        }
    }

    internal sealed record PlacedOrder(string CustomerId, double Amount, DateTimeOffset PlacedAt);

    internal sealed record Order(long Id, string CustomerId, double Amount, string? CustomerName);

    internal sealed record Click(string UserId, DateTimeOffset At, double Items);

    // snippet: stateful-user-aggregator-type
    /// <summary>How many distinct customers ordered in a window.</summary>
    internal sealed class DistinctCustomers : IWindowAggregator<(Order Order, DateTimeOffset PlacedAt), HashSet<string>, int>
    {
        public bool SizeVaries => true;                         // the set grows: EstimateBytes is asked after each add

        public HashSet<string> Create() => [];

        public void Add(ref HashSet<string> customers, (Order Order, DateTimeOffset PlacedAt) record, WindowElement element) =>
            customers.Add(record.Order.CustomerId);

        public void Merge(ref HashSet<string> into, ref HashSet<string> other) => into.UnionWith(other);   // session windows

        public int Result(ref HashSet<string> customers) => customers.Count;

        public long EstimateBytes(ref HashSet<string> customers) => 64 + (customers.Count * 48L);
    }
    // end snippet

    private sealed class CustomerService(Dictionary<string, string> names)
    {
        public async ValueTask<string> GetNameAsync(string id, CancellationToken cancellationToken)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            return names.TryGetValue(id, out var name) ? name : throw new Errors.DataWeaverException(Errors.ErrorClass.Data, $"unknown customer {id}");
        }
    }
}
