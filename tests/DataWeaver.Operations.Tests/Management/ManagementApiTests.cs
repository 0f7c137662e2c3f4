using System.Net;
using DataWeaver.Lifecycle;
using DataWeaver.Operations.Tests.Support;

namespace DataWeaver.Operations.Tests.Management;

public sealed class ManagementApiTests
{
    [Fact]
    public async Task Api_PauseResumeRestartStop_StatesAndCountsAssertedAndNothingLostOrDuplicated()
    {
        await using var ops = await OperationsFixture.StartAsync();
        await Wait.UntilAsync(() => ops.Sink.Count > 2_000, "records flow");
        Assert.Equal(HttpStatusCode.OK, (await ops.Http.GetAsync("/health/ready")).StatusCode);

        // Pause: answered once paused; everything read was written and committed.
        var (status, paused, _) = await ops.PostAsync("/api/pipelines/orders/pause");
        Assert.Equal(200, status);
        Assert.Equal("paused", paused.GetProperty("state").GetString());
        Assert.Equal(PipelineState.Paused, ops.Host.State);
        var detail = await ops.GetJsonAsync("/api/pipelines/orders");
        var read = detail.GetProperty("statistics").GetProperty("recordsRead").GetInt64();
        Assert.Equal(read, ops.Sink.Count);
        Assert.Equal(0, detail.GetProperty("lag").GetProperty("commitLag").GetInt64());
        Assert.Equal(0, detail.GetProperty("lag").GetProperty("recordsInFlight").GetInt64());
        Assert.Equal(read, ops.Source.Committed);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await ops.Http.GetAsync("/health/ready")).StatusCode); // paused is not ready

        // Resume: reads on.
        (status, var resumed, _) = await ops.PostAsync("/api/pipelines/orders/resume");
        Assert.Equal(200, status);
        Assert.Equal("running", resumed.GetProperty("state").GetString());
        await Wait.UntilAsync(() => ops.Sink.Count > read + 2_000, "records flow after the resume");

        // Restart: drained, then started again from the committed position.
        var firstRun = ops.Host.LastRun;
        (status, var restarted, _) = await ops.PostAsync("/api/pipelines/orders/restart");
        Assert.Equal(200, status);
        Assert.Equal("running", restarted.GetProperty("state").GetString());
        Assert.NotSame(firstRun, ops.Host.LastRun);
        Assert.Equal(PipelineState.Stopped, firstRun!.State);
        var beforeRestart = firstRun.Statistics.RecordsRead;
        await Wait.UntilAsync(() => ops.Sink.Count > beforeRestart + 2_000, "records flow after the restart");

        // Stop: a drain; answered once ended.
        (status, var stopped, _) = await ops.PostAsync("/api/pipelines/orders/stop");
        Assert.Equal(200, status);
        Assert.Equal("stopped", stopped.GetProperty("state").GetString());
        Assert.Equal(PipelineState.Stopped, ops.Host.State);

        var records = ops.Sink.Records;
        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records); // 0 lost, 0 duplicated, in order
        Assert.Equal(records.Count, ops.Source.Committed);                            // and every position committed
        Assert.Equal(records.Count - beforeRestart, ops.Host.Statistics.RecordsWritten); // the second run read on, nothing twice
        Assert.Equal(beforeRestart + ops.Host.Statistics.RecordsRead, ops.Source.Read);
    }

    [Fact]
    public async Task Api_PauseOfStoppedPipeline_Answers409ProblemDetails()
    {
        await using var ops = await OperationsFixture.StartAsync();
        await ops.Host.StopAsync();

        var (status, problem, contentType) = await ops.PostAsync("/api/pipelines/orders/pause");

        Assert.Equal(409, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("urn:dataweaver:problem:invalid-state", problem.GetProperty("type").GetString());
        Assert.Equal(409, problem.GetProperty("status").GetInt32());
        Assert.Contains("stopped", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Api_UnknownPipeline_Answers404ProblemDetails()
    {
        await using var ops = await OperationsFixture.StartAsync();

        using var response = await ops.Http.GetAsync("/api/pipelines/nope");
        var (status, problem, contentType) = await ops.PostAsync("/api/pipelines/nope/stop");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(404, status);
        Assert.Equal("application/problem+json", contentType);
        Assert.Equal("urn:dataweaver:problem:pipeline-not-found", problem.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Health_BeforeStartAndWhileRunning_ReadyOnlyWhenEveryPipelineRuns()
    {
        await using var ops = await OperationsFixture.StartAsync(start: false);

        using var live = await ops.Http.GetAsync("/health/live");
        using var notReady = await ops.Http.GetAsync("/health/ready");
        ops.Host.Start();
        using var ready = await ops.Http.GetAsync("/health/ready");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, notReady.StatusCode);
        Assert.Contains("\"state\":\"created\"", await notReady.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }
}
