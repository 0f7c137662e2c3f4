using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Hosting.Tests.Support;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace DataWeaver.Hosting.Tests;

public sealed class HealthCheckTests
{
    [Fact]
    public async Task CheckHealth_ThroughARun_IsHealthyRunningDegradedDrainingHealthyStopped()
    {
        var clock = new ManualTimeProvider();
        var sink = new GatedSink<long>(freeBatches: 2);
        using var host = TestHost.Build(
            b => b.AddPipeline("orders", _ => Pipeline.From(new NumberSource(), new PipelineOptions { Name = "orders", BatchSize = 100 }).To(sink).Build()),
            clock: clock,
            services: s => s.AddHealthChecks().AddDataWeaverHealthChecks());
        var health = host.Services.GetRequiredService<HealthCheckService>();
        await host.StartAsync();
        await sink.Blocked;
        await host.WaitForRunning("orders");

        var running = await health.CheckHealthAsync();
        var stopping = host.StopAsync();
        await TestHost.WaitUntil(() => host.Pipelines().GetStatus("orders").State == PipelineState.Draining);
        var draining = await health.CheckHealthAsync();
        sink.Open();
        await stopping;
        var stopped = await health.CheckHealthAsync();

        Assert.Equal(HealthStatus.Healthy, running.Status);
        var entry = running.Entries["dataweaver"];
        Assert.Equal("Running", entry.Data["orders"]);
        Assert.Equal(200L, entry.Data["orders.records_written"]);
        Assert.Equal("orders: running", entry.Description);
        Assert.Equal((HealthStatus.Degraded, "Draining", "orders: draining"), (draining.Status, draining.Entries["dataweaver"].Data["orders"], draining.Entries["dataweaver"].Description));
        Assert.Equal((HealthStatus.Healthy, "Stopped"), (stopped.Status, stopped.Entries["dataweaver"].Data["orders"]));
    }

    [Fact]
    public async Task CheckHealth_PipelineFailed_IsUnhealthyWithClassStageAndTypeButNoMessage()
    {
        using var host = TestHost.Build(
            b => b
                .AddPipeline("healthy", _ => Pipeline.From(new NumberSource(), new PipelineOptions { Name = "healthy" }).To(new CollectionSink<long>()).Build())
                .AddPipeline("broken", _ => Pipeline.From(new CollectionSource<int>([1, 2]), new PipelineOptions { Name = "broken" })
                    .Map<int>(_ => throw new InvalidOperationException("do not show this"), name: "parse")
                    .To(new CollectionSink<int>())
                    .Build()),
            services: s => s.AddHealthChecks().AddDataWeaverHealthChecks(tags: ["ready"]));
        var health = host.Services.GetRequiredService<HealthCheckService>();
        await host.StartAsync();
        await TestHost.WaitUntil(() => host.Pipelines().GetStatus("broken").State == PipelineState.Failed
            && host.Pipelines().GetStatus("healthy").State == PipelineState.Running);

        var report = await health.CheckHealthAsync(r => r.Tags.Contains("ready"));
        await host.StopAsync();

        var entry = report.Entries["dataweaver"];
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Equal("Failed", entry.Data["broken"]);
        Assert.Equal("Fatal error in stage 'parse': InvalidOperationException", entry.Data["broken.error"]);
        Assert.Equal("Running", entry.Data["healthy"]);
        Assert.Equal("healthy: running; broken: failed (Fatal error in stage 'parse': InvalidOperationException)", entry.Description);
        Assert.DoesNotContain("do not show this", entry.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CheckHealth_RetriesRoseSinceLastCheck_IsDegradedThenHealthyAgain()
    {
        var sink = new FailsFirstWriteThenBlocksSink();
        using var host = TestHost.Build(
            b => b.AddPipeline("retrying", _ => Pipeline.From(new NumberSource(), new PipelineOptions { Name = "retrying", BatchSize = 100 })
                .To(sink)
                .OnError(e => e.Retry(3, TimeSpan.Zero))
                .Build()),
            services: s => s.AddHealthChecks().AddDataWeaverHealthChecks());
        var health = host.Services.GetRequiredService<HealthCheckService>();
        await host.StartAsync();
        await sink.Blocked;
        await host.WaitForRunning("retrying");

        var first = await health.CheckHealthAsync();
        var second = await health.CheckHealthAsync();
        sink.Open();
        await host.StopAsync();

        Assert.Equal((HealthStatus.Degraded, "retrying: running, retrying transient errors"), (first.Status, first.Entries["dataweaver"].Description));
        Assert.Equal(1L, first.Entries["dataweaver"].Data["retrying.retries"]);
        Assert.Equal(HealthStatus.Healthy, second.Status);
    }

    [Fact]
    public async Task CheckHealth_WaitingToRestart_IsDegraded()
    {
        using var host = TestHost.Build(
            b => b.AddPipeline("flaky", _ => Pipeline.From(new CollectionSource<int>([1])).Map<int>(_ => throw new TimeoutException()).To(new CollectionSink<int>()).Build())
                .Configure(o => (o.MaxRestarts, o.RestartDelay, o.MaxRestartDelay) = (1, TimeSpan.FromHours(1), TimeSpan.FromHours(1))),
            clock: new ManualTimeProvider(),
            services: s => s.AddHealthChecks().AddDataWeaverHealthChecks());
        var health = host.Services.GetRequiredService<HealthCheckService>();
        await host.StartAsync();
        await TestHost.WaitUntil(() => host.Pipelines().GetStatus("flaky").State == PipelineState.Restarting);

        var report = await health.CheckHealthAsync();
        await host.StopAsync();

        Assert.Equal(HealthStatus.Degraded, report.Status);
        Assert.Equal("flaky: restarting after a failure (restart 1)", report.Entries["dataweaver"].Description);
        Assert.Equal(PipelineState.Failed, host.Pipelines().GetStatus("flaky").State);
    }

    /// <summary>Fails its first write with a timeout (transient), writes the retry, then blocks its next write until opened.</summary>
    private sealed class FailsFirstWriteThenBlocksSink() : SinkConnector<long>("db")
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _blocked = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public Task Blocked => _blocked.Task;

        public void Open() => _gate.TrySetResult();

        public override async ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
        {
            var call = Interlocked.Increment(ref _calls);
            if (call == 1)
            {
                throw new TimeoutException("database busy");
            }

            if (call > 2)
            {
                _blocked.TrySetResult();
                await _gate.Task.WaitAsync(cancellationToken);
            }
        }
    }
}
