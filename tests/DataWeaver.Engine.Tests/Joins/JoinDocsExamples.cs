using System.Text.Json;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Joins;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Tests.Support;
using DataWeaver.Throttling;

namespace DataWeaver.Tests.Joins;

/// <summary>The lookup join, throttle and stream join examples of docs/stateful.md, run.</summary>
public sealed class JoinDocsExamples
{
    [Fact]
    public async Task LookupJoin_DocsExample_EnrichesFromAQueryAndDeadLettersUnknownCustomers()
    {
        var clock = new ManualTimeProvider();
        var database = new CustomerDatabase([new("c1", "Ann", "DE"), new("c2", "Bob", "FR")]);
        var orders = new CollectionSource<Order>([new(1, "c1", 10), new(2, "c9", 20), new(3, "c2", 30)]);
        var sink = new CollectionSink<EnrichedOrder>();
        var unknownCustomers = new CollectionSink<DeadLetter>("unknown-customers");

        // snippet: stateful-lookup-join
        var customers = LookupTable.FromQuery(
            ct => database.QueryCustomersAsync(ct),        // e.g. an Npgsql reader: SELECT id, name, country FROM customers
            c => c.Id,                                     // table key
            c => c);                                       // table value
        var pipeline = Pipeline.From(orders, new PipelineOptions { TimeProvider = clock })
            .LookupJoin(
                customers,
                order => order.CustomerId,                 // record key
                (order, customer) => new EnrichedOrder(order.Id, order.Amount, customer!.Name, customer.Country),
                new LookupJoinOptions
                {
                    RefreshInterval = TimeSpan.FromMinutes(10),  // reload, then swap in one step
                    OnMissing = LookupMissingKey.DeadLetter,     // or PassThrough (default), Drop
                    StateBudgetBytes = 64L * 1024 * 1024,        // beyond it: JoinStateFullException
                })
            .OnError(e => e.DeadLetterTo(unknownCustomers))
            .To(sink)
            .Build();
        // end snippet
        await pipeline.RunAsync();

        Assert.Equal([new EnrichedOrder(1, 10, "Ann", "DE"), new EnrichedOrder(3, 30, "Bob", "FR")], sink.Records);
        var letter = Assert.Single(unknownCustomers.Records);
        Assert.Equal(2, ((Order)letter.Value!).Id);
        Assert.IsType<LookupKeyNotFoundException>(letter.Exception);
    }

    [Fact]
    public async Task LookupJoin_DocsExample_TableFromAFile()
    {
        var dir = Directory.CreateTempSubdirectory("dw-lookup-docs-");
        try
        {
            var path = Path.Combine(dir.FullName, "customers.jsonl");
            await File.WriteAllLinesAsync(path, [JsonSerializer.Serialize(new Customer("c1", "Ann", "DE")), JsonSerializer.Serialize(new Customer("c2", "Bob", "FR"))]);
            var orders = new CollectionSource<Order>([new(1, "c2", 10), new(2, "c9", 20)]);
            var sink = new CollectionSink<(long Id, string? Country)>();

            // snippet: stateful-lookup-file
            var customers = LookupTable.FromSource(
                new JsonLinesSource(path),                 // read to its end at every load; never committed to
                line => JsonSerializer.Deserialize<Customer>(line.Value.Span)!.Id,
                line => JsonSerializer.Deserialize<Customer>(line.Value.Span)!.Country);
            var pipeline = Pipeline.From(orders)
                .LookupJoin(customers, o => o.CustomerId, (o, country) => (o.Id, country))   // missing: country is null
                .To(sink)
                .Build();
            // end snippet
            await pipeline.RunAsync();

            Assert.Equal([(1L, "FR"), (2L, null)], sink.Records);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Throttle_DocsExample_PerCustomerRateWithBackpressure()
    {
        var clock = new ManualTimeProvider();
        var orders = new CollectionSource<Order>([.. Enumerable.Range(0, 30).Select(i => new Order(i, $"c{i % 2}", i))]);
        var sink = new CollectionSink<Order>();

        // snippet: stateful-throttle
        var pipeline = Pipeline.From(orders, new PipelineOptions { TimeProvider = clock })
            .Throttle(
                order => order.CustomerId,                 // one bucket per customer; leave out for one per pipeline
                new ThrottleOptions
                {
                    PermitsPerPeriod = 5,
                    Period = TimeSpan.FromSeconds(1),      // 5 orders a second per customer
                    Burst = 10,                            // and up to 10 at once after a quiet spell
                    OnLimit = ThrottleLimitAction.Wait,    // the default: backpressure; Drop drops and counts
                })
            .To(sink)
            .Build();
        // end snippet
        var run = pipeline.Start();

        await Pipelines.LifecycleTests.WaitUntil(() => sink.Count == 20); // the bursts: 10 per customer
        clock.Advance(TimeSpan.FromSeconds(1));
        await Pipelines.LifecycleTests.WaitUntil(() => sink.Count == 30); // 5 more each
        await run.Completion;
        Assert.Equal(30, sink.Records.Select(o => o.Id).Distinct().Count());
    }

    [Fact]
    public async Task StreamJoin_DocsExample_OrdersWithTheirPaymentsWithinTenMinutes()
    {
        var t0 = new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.Zero);
        var orderEvents = new CollectionSource<ShopEvent>([new("o1", "order", t0, 0), new("o2", "order", t0.AddMinutes(1), 0)], "orders");
        var paymentEvents = new CollectionSource<ShopEvent>([new("o1", "payment", t0.AddMinutes(4), 25), new("o2", "payment", t0.AddMinutes(30), 5)], "payments");
        var sink = new CollectionSink<(string OrderId, double? Paid)>();

        // snippet: stateful-stream-join
        var pipeline = Pipeline.Merge([orderEvents, paymentEvents])
            .StreamJoin(
                e => e.Kind == "order",                    // left side; the rest is the right side
                e => e.OrderId,                            // key
                e => e.At,                                 // event time
                (order, payment) => (order.OrderId, payment?.Amount),   // payment is null: unpaid within the window
                new StreamJoinOptions
                {
                    Window = TimeSpan.FromMinutes(10),     // |order.At - payment.At| <= 10 min
                    Kind = StreamJoinKind.Left,            // unmatched orders too, once the window has passed
                    MaxOutOfOrderness = TimeSpan.FromHours(1),   // covers how far one source may run ahead
                })
            .To(sink)
            .Build();
        // end snippet
        await pipeline.RunAsync();

        Assert.Equal([("o1", 25.0), ("o2", (double?)null)], sink.Records.Order());
    }

    internal sealed record Order(long Id, string CustomerId, double Amount);

    internal sealed record Customer(string Id, string Name, string Country);

    internal sealed record EnrichedOrder(long Id, double Amount, string Name, string Country);

    internal sealed record ShopEvent(string OrderId, string Kind, DateTimeOffset At, double Amount);

    /// <summary>Stands in for a database query (the PostgreSQL test runs a real one).</summary>
    private sealed class CustomerDatabase(IReadOnlyList<Customer> rows)
    {
        public async IAsyncEnumerable<Customer> QueryCustomersAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            foreach (var row in rows)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return row;
            }
        }
    }
}
