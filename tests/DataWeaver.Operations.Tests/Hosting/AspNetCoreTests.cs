using System.Net;
using System.Text.Json;
using DataWeaver.Connectors.Memory;
using DataWeaver.Hosting;
using DataWeaver.Lifecycle;
using DataWeaver.Operations.Tests.Support;
using DataWeaver.Pipelines;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace DataWeaver.Operations.Tests.Hosting;

public sealed class AspNetCoreTests
{
    [Fact]
    public async Task MapDataWeaverOperations_HostedPipelineRestartedThroughApi_AppStopStillDrainsTheNewRunWithNothingLost()
    {
        var source = new ResumableNumberSource();
        var sink = new CollectionSink<long>("out");

        // snippet: operations-aspnetcore
        var builder = WebApplication.CreateBuilder(["--urls", "http://127.0.0.1:0"]);
        builder.Services.AddDataWeaver(dataWeaver => dataWeaver
            .AddPipeline("orders", _ => Pipeline.From(source, new PipelineOptions { Name = "orders" }).To(sink).Build()));
        builder.Services.AddDataWeaverOperations(new OperationsOptions { BearerToken = builder.Configuration["Operations:Token"] });

        var app = builder.Build();
        app.MapDataWeaverOperations();   // /metrics, /health/live, /health/ready, /api/pipelines, /openapi.json
        // end snippet

        await using (app)
        {
            await app.StartAsync();
            var hosted = app.Services.GetRequiredService<HostedPipelines>();
            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = Wait.Guard };
            await Wait.UntilAsync(() => sink.Count > 2_000, "records flow");
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/health/ready")).StatusCode);

            var firstRun = hosted.GetStatus("orders").Run;
            using var restart = await http.PostAsync("/api/pipelines/orders/restart", null);
            Assert.Equal(HttpStatusCode.OK, restart.StatusCode);
            Assert.Equal(PipelineState.Stopped, firstRun!.State);
            var before = sink.Count;
            await Wait.UntilAsync(() => sink.Count > before + 2_000, "records flow after the restart");
            Assert.Equal("running", JsonDocument.Parse(await http.GetStringAsync("/api/pipelines/orders")).RootElement.GetProperty("state").GetString());
            Assert.False(hosted.WhenAllEnded().IsCompleted);       // the hosted service still owns the restarted pipeline

            await app.StopAsync();                                  // drains the new run (before: it ran on, undrained)

            Assert.Equal(PipelineState.Stopped, hosted.GetStatus("orders").State);
            Assert.NotSame(firstRun, hosted.GetStatus("orders").Run);
        }

        var records = sink.Records;
        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records); // 0 lost, 0 duplicated
        Assert.Equal(records.Count, source.Committed);
    }
}
