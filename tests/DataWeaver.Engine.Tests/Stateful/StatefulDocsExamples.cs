using DataWeaver.AsyncMap;
using DataWeaver.Connectors.Memory;
using DataWeaver.Deduplication;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
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

    internal sealed record Order(long Id, string CustomerId, double Amount, string? CustomerName);

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
