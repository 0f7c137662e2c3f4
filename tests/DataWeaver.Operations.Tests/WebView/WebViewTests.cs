using System.Text.Json;
using DataWeaver.Lifecycle;
using DataWeaver.Operations.Tests.Support;
using DataWeaver.Pipelines;
using Xunit.Abstractions;

namespace DataWeaver.Operations.Tests.WebView;

/// <summary>
/// The live web view at <c>GET /</c> in a real headless Chromium (Debian's chromium over the DevTools protocol,
/// eng/services/chromium.sh): it renders each pipeline's compiled graph, its figures update, and its buttons pause and
/// resume a pipeline through the management API.
/// </summary>
public sealed class WebViewTests(ITestOutputHelper output)
{
    [SkippableFact]
    public async Task WebView_InHeadlessChromium_RendersGraphsUpdatesLiveAndPausesAndResumes()
    {
        Skip.IfNot(HeadlessChromium.IsInstalled, "chromium is not installed (eng/services/chromium.sh installs it)");
        var (orders, ordersSink) = OrdersPipeline();
        var clicksSink = new GatedSink("sessions");
        var clicks = new PipelineHost("clicks", () => Pipeline.From(new ResumableNumberSource(), new PipelineOptions { Name = "clicks", BatchSize = 256, MaxInFlightRecords = 4096 })
            .Map(static x => x + 1, "sessionize").To(clicksSink).Build());
        await using var server = await OperationsServer.StartAsync("127.0.0.1:0", new OperatedPipelines([orders, clicks]));
        orders.Start();
        clicks.Start();
        try
        {
            await using var browser = await HeadlessChromium.StartAsync();
            using var http = new HttpClient { BaseAddress = server.Address, Timeout = Wait.Guard };
            await browser.NavigateAsync(server.Address + "");

            // Renders: a card per pipeline, with every block of the compiled graph the API reports.
            await Wait.UntilAsync(async () => (await browser.EvaluateAsync("document.querySelectorAll('[data-pipeline] svg').length")).GetInt32() == 2, "both pipelines are drawn");
            foreach (var name in new[] { "orders", "clicks" })
            {
                var graph = JsonDocument.Parse(await http.GetStringAsync("/api/pipelines/" + name)).RootElement.GetProperty("graph");
                var drawn = await browser.EvaluateAsync($"[...document.querySelectorAll('[data-pipeline=\"{name}\"] [data-block]')].map(b => b.getAttribute('data-block'))");
                Assert.Equal(graph.GetProperty("blocks").EnumerateArray().Select(b => b.GetProperty("id").GetString()), drawn.EnumerateArray().Select(b => b.GetString()));
                Assert.Equal(graph.GetProperty("edges").GetArrayLength(), (await browser.EvaluateAsync($"document.querySelectorAll('[data-pipeline=\"{name}\"] svg path[marker-end]').length")).GetInt32());
            }

            Assert.True(JsonDocument.Parse(await http.GetStringAsync("/api/pipelines/orders")).RootElement.GetProperty("graph").GetProperty("blocks").GetArrayLength() >= 4, "a graph of several blocks");
            await Wait.UntilAsync(async () => await StateAsync(browser, "orders") == "running", "orders shows running");

            // Updates: the written counter the page shows grows, and every block gets a rate.
            var first = await WrittenAsync(browser, "orders");
            await Wait.UntilAsync(async () => await WrittenAsync(browser, "orders") > first, "the page's written counter grows");
            await Wait.UntilAsync(
                async () => (await browser.EvaluateAsync("[...document.querySelectorAll('[data-pipeline=\"orders\"] [data-block]')].every(b => Number(b.dataset.processed) > 0 && b.dataset.busyShare !== undefined)")).GetBoolean(),
                "every block shows records processed");
            await Wait.UntilAsync(
                async () => (await browser.EvaluateAsync("document.querySelector('[data-pipeline=\"orders\"] [data-counter=writtenRate]').textContent")).GetString()!.EndsWith("/s", StringComparison.Ordinal),
                "a write rate is shown");
            var blockText = (await browser.EvaluateAsync("document.querySelector('[data-pipeline=\"orders\"] [data-block] [data-role=block-text]').textContent")).GetString()!;
            Assert.Matches(@"/s · fill \d+% · busy \d+%", blockText);
            await SaveScreenshotAsync(browser);

            // Pause with the page's button: the API reports paused, the page shows it, nothing more is written.
            await browser.ClickAsync("[data-pipeline=\"orders\"] button[data-action=pause]");
            await Wait.UntilAsync(() => orders.State == PipelineState.Paused, "orders is paused");
            await Wait.UntilAsync(async () => await StateAsync(browser, "orders") == "paused", "the page shows paused");
            Assert.Equal("paused", JsonDocument.Parse(await http.GetStringAsync("/api/pipelines/orders")).RootElement.GetProperty("state").GetString());
            var writtenWhenPaused = orders.Statistics.RecordsWritten;
            var clicksWhenPaused = clicksSink.Written;
            await UpdatesAsync(browser, 2);
            Assert.Equal(writtenWhenPaused, orders.Statistics.RecordsWritten);
            Assert.Equal(writtenWhenPaused, await WrittenAsync(browser, "orders"));
            Assert.True((await browser.EvaluateAsync("document.querySelector('[data-pipeline=\"orders\"] button[data-action=pause]').disabled")).GetBoolean());
            await Wait.UntilAsync(() => clicksSink.Written > clicksWhenPaused, "the other pipeline runs on");

            // Resume with the page's button: running again, writing again.
            await browser.ClickAsync("[data-pipeline=\"orders\"] button[data-action=resume]");
            await Wait.UntilAsync(() => orders.State == PipelineState.Running, "orders runs again");
            await Wait.UntilAsync(async () => await StateAsync(browser, "orders") == "running", "the page shows running");
            await Wait.UntilAsync(async () => await WrittenAsync(browser, "orders") > writtenWhenPaused, "the page's written counter grows again");
            Assert.Equal(0, orders.Restarts);
        }
        finally
        {
            await orders.StopAsync();
            await clicks.StopAsync();
        }

        // Nothing lost or repeated across the pause: the sink saw every number read, once (the source resumes nothing here).
        Assert.Equal(orders.Statistics.RecordsRead, ordersSink.Written);
    }

    [SkippableFact]
    public async Task WebView_WithABearerToken_AsksForItAndShowsPipelinesOnceTyped()
    {
        Skip.IfNot(HeadlessChromium.IsInstalled, "chromium is not installed (eng/services/chromium.sh installs it)");
        await using var ops = await OperationsFixture.StartAsync("guarded", new OperationsOptions { BearerToken = "s3cret-web-token" });
        await using var browser = await HeadlessChromium.StartAsync();

        await browser.NavigateAsync(ops.Server.Address + "");
        await Wait.UntilAsync(async () => !(await browser.EvaluateAsync("document.getElementById('token-label').hidden")).GetBoolean(), "the page asks for the token");
        Assert.Equal(0, (await browser.EvaluateAsync("document.querySelectorAll('[data-pipeline]').length")).GetInt32());

        await browser.EvaluateAsync("(() => { const t = document.getElementById('token'); t.value = 's3cret-web-token'; t.dispatchEvent(new Event('change')); })()");
        await Wait.UntilAsync(async () => await StateAsync(browser, "guarded") == "running", "the pipeline shows with the token");
        Assert.DoesNotContain("s3cret-web-token", (await browser.EvaluateAsync("document.documentElement.outerHTML")).GetString()!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Root_Served_IsThePageWithAPolicyAndOffWhenDisabled()
    {
        await using (var ops = await OperationsFixture.StartAsync("page"))
        {
            using var response = await ops.Http.GetAsync("/");
            Assert.Equal(200, (int)response.StatusCode);
            Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
            Assert.Contains("connect-src 'self'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
            Assert.Contains("api/pipelines", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        await using (var off = await OperationsFixture.StartAsync("nopage", new OperationsOptions { WebView = false }))
        {
            using var response = await off.Http.GetAsync("/");
            Assert.Equal(404, (int)response.StatusCode);
        }
    }

    /// <summary>source -> parse -> 2 parallel workers -> enrich -> broadcast to two sinks (one filtered): several blocks.</summary>
    private static (PipelineHost Host, GatedSink Sink) OrdersPipeline()
    {
        var all = new GatedSink("all-orders");
        var big = new GatedSink("big-orders");
        var host = new PipelineHost("orders", () => Pipeline.From(new ResumableNumberSource(), new PipelineOptions { Name = "orders", BatchSize = 256, MaxInFlightRecords = 8192 })
            .Map(static x => x * 3, "parse")
            .Parallel(2)
            .Map(static x => x + 1, "enrich")
            .Broadcast(
                a => a.To(all),
                b => b.Filter(static x => x % 7 == 0, "big-only").To(big))
            .Build());
        return (host, all);
    }

    private static async Task<string?> StateAsync(HeadlessChromium browser, string pipeline) =>
        (await browser.EvaluateAsync($"document.querySelector('[data-pipeline=\"{pipeline}\"]')?.dataset.state ?? null")).ValueKind == JsonValueKind.String
            ? (await browser.EvaluateAsync($"document.querySelector('[data-pipeline=\"{pipeline}\"]').dataset.state")).GetString()
            : null;

    private static async Task<long> WrittenAsync(HeadlessChromium browser, string pipeline) =>
        long.Parse((await browser.EvaluateAsync($"document.querySelector('[data-pipeline=\"{pipeline}\"]').dataset.written")).GetString()!, System.Globalization.CultureInfo.InvariantCulture);

    private static async Task UpdatesAsync(HeadlessChromium browser, int count)
    {
        var now = int.Parse((await browser.EvaluateAsync("document.body.dataset.updates")).GetString()!, System.Globalization.CultureInfo.InvariantCulture);
        await Wait.UntilAsync(async () => int.Parse((await browser.EvaluateAsync("document.body.dataset.updates")).GetString()!, System.Globalization.CultureInfo.InvariantCulture) >= now + count, $"{count} more updates of the page");
    }

    private async Task SaveScreenshotAsync(HeadlessChromium browser)
    {
        var png = await browser.ScreenshotAsync();
        Assert.True(png.Length > 10_000 && png[1] == 'P' && png[2] == 'N' && png[3] == 'G', "a PNG screenshot");
        var path = Environment.GetEnvironmentVariable("DATAWEAVER_WEBVIEW_SCREENSHOT") ?? Path.Combine(AppContext.BaseDirectory, "web-view.png");
        await File.WriteAllBytesAsync(path, png);
        output.WriteLine($"screenshot: {path} ({png.Length:N0} bytes)");
    }
}
