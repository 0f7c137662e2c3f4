using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Http.Internal;
using DataWeaver.Http.Tests.Support;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace DataWeaver.Http.Tests.Probes;

/// <summary>
/// Throughput probes, not tests of speed (nothing is asserted about time; the machine is shared and noisy): each prints the
/// connector's rate against a hand-written peer doing the same work on loopback, alternating A/B rounds in one run, as ratios:
/// the throughput ratio (higher is better) and the ratio of process CPU time per unit of work (lower is better; steadier under
/// load, clients and servers included on both sides).
/// Run: <c>dotnet test tests/DataWeaver.Http.Tests -c Release --filter FullyQualifiedName~HttpThroughputProbe --logger "console;verbosity=detailed"</c>.
/// </summary>
[Trait("Category", "Soak")]
public sealed class HttpThroughputProbe(ITestOutputHelper output)
{
    private const int Rounds = 5;

    /// <summary>
    /// The server source (by default 200 once committed; a sink that counts) against a minimal Kestrel endpoint that parses the
    /// same NDJSON bodies with the same splitter and answers 200 at once; the same client loop posts to both. One unmeasured
    /// warm-up round of each side first. CPU per request is the process's CPU time over the round's requests (clients included).
    /// </summary>
    [Theory]
    [InlineData(16, 100, 6_000, HttpResponseMode.Committed)]
    [InlineData(16, 1, 30_000, HttpResponseMode.Committed)]
    [InlineData(16, 100, 6_000, HttpResponseMode.Accepted)]
    public async Task ServerSource_AgainstMinimalKestrelEndpoint(int clients, int perRequest, int requests, HttpResponseMode respond)
    {
        var body = Json.Ndjson(Enumerable.Range(0, perRequest).Select(i => (long)i));
        var ratios = new List<double>();
        var cpu = new List<double>();
        await MinimalEndpointAsync(requests, body, clients);
        await ServerSourceAsync(requests, body, clients, respond);
        for (var round = 0; round < Rounds; round++)
        {
            var (peer, peerCpu) = await MeasureAsync(() => MinimalEndpointAsync(requests, body, clients));
            var (ours, ourCpu) = await MeasureAsync(() => ServerSourceAsync(requests, body, clients, respond));
            ratios.Add(ours / peer);
            cpu.Add(ourCpu / peerCpu);
            output.WriteLine($"round {round + 1}: server source {ours:F0} requests/s ({ourCpu * 1e6 / requests:F0} us CPU a request), minimal Kestrel {peer:F0} requests/s ({peerCpu * 1e6 / requests:F0} us CPU a request): {ours / peer:F2}x; CPU {ourCpu / peerCpu:F2}x ({perRequest} records a request, {clients} clients, {respond})");
        }

        output.WriteLine($"server source ({respond}) / minimal Kestrel, {perRequest} records a request, {clients} clients: throughput {ratios.Min():F2}x-{ratios.Max():F2}x (median {Median(ratios):F2}x), CPU a request median {Median(cpu):F2}x");
    }

    /// <summary>The client sink against a hand-written HttpClient loop posting the same JSON arrays, as many at once, to the same minimal endpoint.</summary>
    [Theory]
    [InlineData(100, 600_000)]
    [InlineData(1, 40_000)]
    public async Task ClientSink_AgainstHandWrittenHttpClientLoop(int perRequest, int records)
    {
        await using var endpoint = await ReceiverAsync();
        var values = Enumerable.Range(0, records).Select(i => Json.Record(i)).ToList();
        var ratios = new List<double>();
        var cpu = new List<double>();
        for (var round = 0; round < Rounds; round++)
        {
            var (peer, peerCpu) = await MeasureAsync(() => LoopAsync(endpoint.Url, values, perRequest, concurrency: 4));
            var (ours, ourCpu) = await MeasureAsync(() => SinkAsync(endpoint.Url, values, perRequest, concurrency: 4));
            ratios.Add(ours / peer);
            cpu.Add(ourCpu / peerCpu);
            output.WriteLine($"round {round + 1}: sink {ours:F0} records/s, HttpClient loop {peer:F0} records/s: {ours / peer:F2}x; CPU {ourCpu / peerCpu:F2}x ({perRequest} records a request)");
        }

        output.WriteLine($"client sink / HttpClient loop, {perRequest} records a request: throughput {ratios.Min():F2}x-{ratios.Max():F2}x (median {Median(ratios):F2}x), CPU {Median(cpu):F2}x");
    }

    private static double Median(List<double> values) => values.Order().ElementAt(values.Count / 2);

    /// <summary>Runs one round; returns its rate and the process CPU time it took.</summary>
    private static async Task<(double Rate, double CpuSeconds)> MeasureAsync(Func<Task<double>> round)
    {
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var before = process.TotalProcessorTime;
        var rate = await round();
        process.Refresh();
        return (rate, (process.TotalProcessorTime - before).TotalSeconds);
    }

    private static async Task<double> ServerSourceAsync(int requests, byte[] body, int clients, HttpResponseMode respond)
    {
        var source = new HttpServerSource(new HttpServerSourceOptions { Listen = "http://127.0.0.1:0", MaxInFlightRecords = 100_000, Respond = respond });
        var sink = new CountingSink();
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 1024, MaxInFlightRecords = 100_000, CommitInterval = TimeSpan.Zero }).To(sink).Build().Start();
        while (source.Address is null)
        {
            await Task.Delay(5);
        }

        var rate = await PostAllAsync(source.Address, requests, body, clients);
        await run.StopAsync();
        return rate;
    }

    private static async Task<double> MinimalEndpointAsync(int requests, byte[] body, int clients)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using var app = builder.Build();
        long records = 0;
        app.MapPost("/", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            Interlocked.Add(ref records, JsonBodySplitter.Split(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), BodyFormat.Ndjson).Count);
            http.Response.StatusCode = 200;
            http.Response.ContentType = "application/json";
            await http.Response.WriteAsync("{\"records\":1,\"deadLettered\":0}\n");
        });
        await app.StartAsync();
        var rate = await PostAllAsync(new Uri(app.Urls.First() + "/"), requests, body, clients);
        await app.StopAsync();
        return rate;
    }

    private static async Task<double> PostAllAsync(Uri url, int requests, byte[] body, int clients)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = clients });
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(async () =>
        {
            while (Interlocked.Increment(ref next) < requests)
            {
                while (true)
                {
                    using var content = new ByteArrayContent(body);
                    content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
                    using var response = await http.PostAsync(url, content);
                    if (response.StatusCode != HttpStatusCode.TooManyRequests)
                    {
                        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"Answered {response.StatusCode}.");
                        break;
                    }

                    await Task.Delay(1); // answered at acceptance, the clients outran the sink up to the in-flight bound: send it again
                }
            }
        })));
        return requests / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> SinkAsync(Uri url, List<byte[]> values, int perRequest, int concurrency)
    {
        var records = values.Select(v => new Record<ReadOnlyMemory<byte>>(default, v, null, default, default)).ToList();
        var sink = new HttpSink(new HttpSinkOptions
        {
            Url = url.ToString(),
            Body = perRequest == 1 ? HttpSinkBody.PerRecord : HttpSinkBody.JsonArray,
            MaxBatchRecords = perRequest,
            MaxConcurrency = concurrency,
        });
        var clock = Stopwatch.StartNew();
        var run = Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { BatchSize = Math.Max(perRequest * concurrency, 64) }).To(sink).Build().Start();
        await run.Completion;
        return values.Count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> LoopAsync(Uri url, List<byte[]> values, int perRequest, int concurrency)
    {
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency });
        var next = -1;
        var bodies = (values.Count + perRequest - 1) / perRequest;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            for (var i = Interlocked.Increment(ref next); i < bodies; i = Interlocked.Increment(ref next))
            {
                byte[] body;
                if (perRequest == 1)
                {
                    body = values[i];
                }
                else
                {
                    using var buffer = new MemoryStream();
                    buffer.WriteByte((byte)'[');
                    var first = true;
                    foreach (var value in values.GetRange(i * perRequest, Math.Min(perRequest, values.Count - (i * perRequest))))
                    {
                        if (!first)
                        {
                            buffer.WriteByte((byte)',');
                        }

                        buffer.Write(value);
                        first = false;
                    }

                    buffer.WriteByte((byte)']');
                    body = buffer.ToArray();
                }

                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await http.PostAsync(url, content);
                response.EnsureSuccessStatusCode();
            }
        })));
        return values.Count / clock.Elapsed.TotalSeconds;
    }

    private static async Task<Receiver> ReceiverAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        app.MapPost("/in", async (HttpContext http) =>
        {
            using var buffer = new MemoryStream();
            await http.Request.Body.CopyToAsync(buffer);
            http.Response.StatusCode = 200;
        });
        await app.StartAsync();
        return new Receiver(app, new Uri(app.Urls.First() + "/in"));
    }

    private sealed record Receiver(WebApplication App, Uri Url) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }
    }

    private sealed class CountingSink() : SinkConnector<Record<ReadOnlyMemory<byte>>>("count")
    {
        private long _count;

        public override ValueTask WriteAsync(ReadOnlyMemory<Record<ReadOnlyMemory<byte>>> batch, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _count, batch.Length);
            return default;
        }
    }
}
