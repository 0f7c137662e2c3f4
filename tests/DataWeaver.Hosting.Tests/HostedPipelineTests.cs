using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Hosting.Internal;
using DataWeaver.Hosting.Tests.Support;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DataWeaver.Hosting.Tests;

public sealed class HostedPipelineTests
{
    [Fact]
    public async Task StartAsync_FinitePipeline_RunsToCompletionAndLogsStartedAndCompleted()
    {
        var logs = new CapturingLoggerProvider();
        var sink = new CollectionSink<int>("out");
        using var host = TestHost.Build(
            b => b.AddPipeline("finite", _ => Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 10_000).ToArray()), new PipelineOptions { Name = "finite" }).To(sink).Build()),
            logs);

        await host.RunToEndAsync();

        var status = host.Pipelines().GetStatus("finite");
        Assert.Equal(PipelineState.Completed, status.State);
        Assert.Equal(Enumerable.Range(0, 10_000), sink.Records);
        Assert.Equal(10_000, status.Run!.Statistics.RecordsWritten);
        Assert.Equal(
            ["Pipeline finite started (2 blocks, at most 65536 records in flight)", "Pipeline finite completed: the source ran out; 10000 records read, 10000 written, all committed"],
            logs.Of(HostingLog.Category).Where(e => e.Level >= LogLevel.Information).Select(e => e.Message));
    }

    [Fact]
    public async Task StopAsync_EndlessPipelines_DrainWithEveryRecordReadWrittenAndCommitted()
    {
        var logs = new CapturingLoggerProvider();
        var (first, firstSink) = TestHost.Endless();
        var (second, secondSink) = TestHost.Endless();
        using var host = TestHost.Build(
            b => b
                .AddPipeline("first", _ => Pipeline.From(first, new PipelineOptions { Name = "first", BatchSize = 100 }).Map(x => x).To(firstSink).Build())
                .AddPipeline("second", _ => Pipeline.From(second, new PipelineOptions { Name = "second", BatchSize = 100 }).Parallel(2).Map(x => x).To(secondSink).Build()),
            logs);
        await host.StartAsync();
        await TestHost.WaitUntil(() => firstSink.Count >= 20_000 && secondSink.Count >= 20_000);

        await host.StopAsync();

        foreach (var (name, source, sink) in new[] { ("first", first, firstSink), ("second", second, secondSink) })
        {
            var status = host.Pipelines().GetStatus(name);
            Assert.Equal(PipelineState.Stopped, status.State);
            var written = sink.Records;
            Assert.Equal(source.Read, written.Count); // 0 records lost: every record read was written
            Assert.Equal(Enumerable.Range(0, written.Count).Select(i => (long)i), written);
            Assert.Equal(new SourcePosition(0, written.Count), source.Commits.Last());
            Assert.Equal(0, status.Run!.Statistics.CommitLag);
            Assert.Contains(logs.Entries, e => e.Message == $"Pipeline {name} drained: {written.Count} records read, {written.Count} written, all committed");
        }

        Assert.Equal(2, logs.Of(HostingLog.Category).Count(e => e.EventId.Id == 3)); // draining
    }

    [Fact]
    public async Task StopAsync_DrainTimeoutPassesOnTheHostClock_AbortsAndCommitsOnlyWhatWasWritten()
    {
        var clock = new ManualTimeProvider();
        var logs = new CapturingLoggerProvider();
        var source = new NumberSource();
        var sink = new GatedSink<long>(freeBatches: 3);
        using var host = TestHost.Build(
            b => b.AddPipeline("stuck", _ => Pipeline.From(source, new PipelineOptions { Name = "stuck", BatchSize = 100 }).To(sink).Build())
                .Configure(o => o.DrainTimeout = TimeSpan.FromSeconds(10)),
            logs,
            clock);
        await host.StartAsync();
        await sink.Blocked;

        var stopping = host.StopAsync();
        await TestHost.WaitUntil(() => host.Pipelines().GetStatus("stuck").State == PipelineState.Draining);
        clock.Advance(TimeSpan.FromSeconds(10));
        await stopping;

        Assert.Equal(PipelineState.Aborted, host.Pipelines().GetStatus("stuck").State);
        Assert.Equal(300, sink.Records.Count);
        Assert.Equal(new SourcePosition(0, 300), source.Commits.Last());
        Assert.Contains(logs.Of(HostingLog.Category), e => e.EventId.Id == 5 && e.Level == LogLevel.Warning);
    }

    [Fact]
    public async Task StopAsync_HostShutdownTimeoutBeforeDrainTimeout_AbortsTheRun()
    {
        var source = new NumberSource();
        var sink = new GatedSink<long>(freeBatches: 2);
        using var host = TestHost.Build(
            b => b.AddPipeline("stuck", _ => Pipeline.From(source, new PipelineOptions { Name = "stuck", BatchSize = 100 }).To(sink).Build())
                .Configure(o => o.DrainTimeout = Timeout.InfiniteTimeSpan),
            services: s => s.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromMilliseconds(200)));
        await host.StartAsync();
        await sink.Blocked;

        await host.StopAsync();

        Assert.Equal(PipelineState.Aborted, host.Pipelines().GetStatus("stuck").State);
        Assert.Equal(new SourcePosition(0, 200), source.Commits.Last());
    }

    [Fact]
    public async Task Run_PipelineFailsWithRestartsAllowed_StartsAFreshPipelineEachTimeThenStaysFailed()
    {
        var logs = new CapturingLoggerProvider();
        var built = 0;
        using var host = TestHost.Build(
            b => b.AddPipeline("flaky", _ =>
                {
                    Interlocked.Increment(ref built);
                    return Pipeline.From(new CollectionSource<int>([1, 2, 3]), new PipelineOptions { Name = "flaky" })
                        .Map(x => x == 2 ? throw new DataWeaverException(ErrorClass.Fatal, "broken") : x, name: "check")
                        .To(new CollectionSink<int>())
                        .Build();
                })
                .Configure(o => (o.MaxRestarts, o.RestartDelay) = (2, TimeSpan.Zero)),
            logs);

        await host.RunToEndAsync();

        var status = host.Pipelines().GetStatus("flaky");
        Assert.Equal(3, built);
        Assert.Equal((PipelineState.Failed, 2, ErrorClass.Fatal, "check"), (status.State, status.Restarts, status.LastErrorClass, status.LastErrorStage));
        Assert.Equal("broken", status.LastError!.Message);
        Assert.Equal(3, logs.Of(HostingLog.Category).Count(e => e.EventId.Id == 6 && e.Message == "Pipeline flaky failed with a Fatal error in stage check: DataWeaverException"));
        Assert.Equal(
            ["Pipeline flaky restarting in 00:00:00 (restart 1 of 2)", "Pipeline flaky restarting in 00:00:00 (restart 2 of 2)"],
            logs.Of(HostingLog.Category).Where(e => e.EventId.Id == 7).Select(e => e.Message));
    }

    [Fact]
    public async Task Run_FactoryThrowsConfigurationError_ReportsFailedInFactoryWithoutRestarting()
    {
        var logs = new CapturingLoggerProvider();
        var built = 0;
        using var host = TestHost.Build(
            b => b.AddPipeline("misconfigured", _ =>
                {
                    Interlocked.Increment(ref built);
                    throw new PipelineConfigurationException(["pipeline 'misconfigured': the pipeline has no sink."]);
                })
                .Configure(o => o.MaxRestarts = 5),
            logs);

        await host.RunToEndAsync();

        var status = host.Pipelines().GetStatus("misconfigured");
        Assert.Equal((PipelineState.Failed, "(factory)", 1), (status.State, status.LastErrorStage, built));
        Assert.Null(status.Run);
        Assert.Contains(logs.Of(HostingLog.Category), e => e.EventId.Id == 9 && e.Level == LogLevel.Error && e.Exception!.Contains("has no sink", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Run_FailsWithStopApplicationOnFailure_StopsTheApplication()
    {
        using var host = TestHost.Build(
            b => b.AddPipeline("fatal", _ => Pipeline.From(new CollectionSource<int>([1])).Map<int>(_ => throw new InvalidOperationException("bug")).To(new CollectionSink<int>()).Build())
                .Configure(o => o.StopApplicationOnFailure = true));
        var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();

        await host.StartAsync();
        await host.Pipelines().WhenAllEnded();

        Assert.True(lifetime.ApplicationStopping.IsCancellationRequested);
        Assert.Equal(PipelineState.Failed, host.Pipelines().GetStatus("fatal").State);
        await host.StopAsync();
    }

    [Fact]
    public async Task Run_ContinuousCommitsWithDebugLogging_LogsEachCommitAtDebugLevel()
    {
        var logs = new CapturingLoggerProvider();
        using var host = TestHost.Build(
            b => b.AddPipeline("commits", _ => Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 1_000).ToArray()), new PipelineOptions { Name = "commits", BatchSize = 100, CommitInterval = TimeSpan.Zero })
                .To(new CollectionSink<int>())
                .Build()),
            logs);

        await host.RunToEndAsync();

        var commits = logs.Of(HostingLog.Category).Where(e => e.EventId.Id == 8).ToList();
        Assert.NotEmpty(commits);
        Assert.All(commits, c => Assert.Equal(LogLevel.Debug, c.Level));
        Assert.Equal("Pipeline commits committed 0@1000; 0 records read are not committed yet", commits[^1].Message);
    }

    [Fact]
    public async Task StopAsync_BeforeStart_NeverBuildsThePipelines()
    {
        var built = 0;
        using var host = TestHost.Build(b => b.AddPipeline("never", _ =>
        {
            Interlocked.Increment(ref built);
            return Pipeline.From(new CollectionSource<int>([1])).To(new CollectionSink<int>()).Build();
        }));

        Assert.Equal(PipelineState.Created, host.Pipelines().GetStatus("never").State);
        await host.StopAsync();
        Assert.Equal(0, built);
    }

    [Fact]
    public void AddPipeline_SameNameTwice_Throws()
    {
        var services = new ServiceCollection();

        var error = Assert.Throws<ArgumentException>(() => services.AddDataWeaver(b => b
            .AddPipeline("orders", _ => throw new InvalidOperationException())
            .AddPipeline("orders", _ => throw new InvalidOperationException())));

        Assert.StartsWith("A pipeline named 'orders' was already added", error.Message, StringComparison.Ordinal);
    }
}
