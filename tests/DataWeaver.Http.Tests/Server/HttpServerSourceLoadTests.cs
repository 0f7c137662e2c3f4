using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using DataWeaver.Connectors;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using Xunit.Abstractions;

namespace DataWeaver.Http.Tests.Server;

/// <summary>
/// Many clients posting to the server source faster than the sink writes: every request answered 200 was delivered, every
/// refused one got 429 with Retry-After and went through when sent again, and the records in flight never exceeded the bound.
/// </summary>
public sealed class HttpServerSourceLoadTests(ITestOutputHelper output)
{
    [Fact]
    public Task Post_20ClientsSlowSink_Every200DeliveredRefusedOnesRetriedBoundKept() => RunAsync(clients: 20, records: 20_000, perRequest: 50, bound: 500);

    [Fact]
    [Trait("Category", "Soak")]
    public Task Post_100ClientsMillionRecordsSlowSink_Every200DeliveredRefusedOnesRetriedBoundKept() => RunAsync(clients: 100, records: 1_000_000, perRequest: 100, bound: 5_000);

    private async Task RunAsync(int clients, int records, int perRequest, int bound)
    {
        var source = new HttpServerSource(new HttpServerSourceOptions { Listen = "http://127.0.0.1:0", MaxInFlightRecords = bound, RetryAfter = TimeSpan.Zero });
        var sink = new SlowSink(perBatch: TimeSpan.FromMilliseconds(2));
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 256, MaxInFlightRecords = bound, CommitInterval = TimeSpan.Zero }).To(sink).Build().Start();
        while (source.Address is null)
        {
            await Task.Delay(5);
        }

        var next = -1;
        var answered = new ConcurrentBag<int>();
        long refused = 0, retryAfterMissing = 0;
        var clock = Stopwatch.StartNew();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients }) { Timeout = TimeSpan.FromMinutes(5) };
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            for (var request = Interlocked.Increment(ref next); request * perRequest < records; request = Interlocked.Increment(ref next))
            {
                var body = Json.Ndjson(Enumerable.Range(request * perRequest, Math.Min(perRequest, records - (request * perRequest))).Select(i => (long)i));
                while (true)
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                    using var response = await http.PostAsync(source.Address, content);
                    if (response.StatusCode == HttpStatusCode.OK)
                    {
                        answered.Add(request);
                        break;
                    }

                    Assert.Equal((HttpStatusCode)429, response.StatusCode);
                    Interlocked.Increment(ref refused);
                    if (response.Headers.RetryAfter is null)
                    {
                        Interlocked.Increment(ref retryAfterMissing);
                    }

                    await Task.Delay(1);
                }
            }
        })));
        var elapsed = clock.Elapsed;
        await run.StopAsync();

        var delivered = sink.Ids;
        var requests = (records + perRequest - 1) / perRequest;
        output.WriteLine($"{records} records in {requests} requests from {clients} clients in {elapsed.TotalSeconds:F1} s ({records / elapsed.TotalSeconds:F0} records/s); {refused} refusals (429); peak in flight {source.PeakInFlightRecords} of {bound}.");
        Assert.Equal(requests, answered.Count);
        Assert.Equal(records, delivered.Count); // every request answered 200 was delivered, once
        Assert.Equal(records, delivered.Distinct().Count());
        Assert.True(refused > 0, "No request was refused: the sink was not slower than the clients, the test proved nothing.");
        Assert.Equal(0, retryAfterMissing);
        Assert.True(source.PeakInFlightRecords <= bound, $"{source.PeakInFlightRecords} records were in flight; the bound is {bound}.");
    }

    /// <summary>A sink that takes its time per batch and keeps the ids it wrote.</summary>
    private sealed class SlowSink(TimeSpan perBatch) : SinkConnector<Record<ReadOnlyMemory<byte>>>("slow")
    {
        private readonly List<long> _ids = [];

        public IReadOnlyList<long> Ids
        {
            get
            {
                lock (_ids)
                {
                    return [.. _ids];
                }
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
        {
            await Task.Delay(perBatch, cancellationToken);
            lock (_ids)
            {
                foreach (var record in batch.Span)
                {
                    _ids.Add(Json.Id(record.Value.Span));
                }
            }
        }
    }
}
