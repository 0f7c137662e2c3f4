using System.Diagnostics;
using DataWeaver.Connectors;
using DataWeaver.Lifecycle;
using DataWeaver.Operations.Tests.Support;
using DataWeaver.Pipelines;
using Xunit.Abstractions;

namespace DataWeaver.Operations.Tests.Metrics;

/// <summary>
/// What the endpoint costs a pipeline: the same run with no endpoint, and with the endpoint scraped every 100 ms (ten
/// times Prometheus' usual 1 s), alternating, as process CPU time per record. A measurement to report, not a gate.
/// </summary>
public sealed class ScrapeOverheadTests(ITestOutputHelper output)
{
    private const long Records = 20_000_000;

    [Fact]
    [Trait("Category", "Soak")]
    public async Task Scrape_Every100Ms_CpuTimePerRecordReported()
    {
        var plain = new List<double>();
        var scraped = new List<double>();
        for (var round = 0; round < 4; round++)
        {
            plain.Add(await MeasureAsync(scrape: false));
            scraped.Add(await MeasureAsync(scrape: true));
        }

        var (a, b) = (plain.Order().ElementAt(1), scraped.Order().ElementAt(1)); // second best of 4
        output.WriteLine($"no endpoint: {string.Join(", ", plain.Select(x => x.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} ns/record (CPU)");
        output.WriteLine($"scraped every 100 ms: {string.Join(", ", scraped.Select(x => x.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))} ns/record (CPU)");
        output.WriteLine($"second best of 4: {a:F2} vs {b:F2} ns/record: {(b / a - 1) * 100:+0.0;-0.0} %");
        Assert.True(a > 0 && b > 0);
    }

    private static async Task<double> MeasureAsync(bool scrape)
    {
        var sink = new CountingSink();
        var host = new PipelineHost("overhead", () => Pipeline.From(new ResumableNumberSource(Records), new PipelineOptions { Name = "overhead" }).Map(static x => x + 1).To(sink).Build());
        OperationsServer? server = null;
        using var stop = new CancellationTokenSource();
        Task scraper = Task.CompletedTask;
        if (scrape)
        {
            server = await OperationsServer.StartAsync("127.0.0.1:0", new OperatedPipelines([host]));
            var http = new HttpClient { BaseAddress = server.Address };
            scraper = Task.Run(async () =>
            {
                using (http)
                {
                    while (!stop.IsCancellationRequested)
                    {
                        await http.GetStringAsync("/metrics");
                        await Task.Delay(100);
                    }
                }
            });
        }

        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        host.Start();
        await host.Completion.WaitAsync(TimeSpan.FromMinutes(5));
        var used = Process.GetCurrentProcess().TotalProcessorTime - cpu;
        await stop.CancelAsync();
        await scraper;
        if (server is not null)
        {
            await server.DisposeAsync();
        }

        Assert.Equal(PipelineState.Completed, host.State);
        Assert.Equal(Records, sink.Written);
        return used.TotalNanoseconds / Records;
    }

    private sealed class CountingSink() : SinkConnector<long>("count")
    {
        private long _written;

        public long Written => Interlocked.Read(ref _written);

        public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _written, batch.Length);
            return default;
        }
    }
}
