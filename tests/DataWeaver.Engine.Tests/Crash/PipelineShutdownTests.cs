using System.Diagnostics;
using DataWeaver.Connectors.Generator;
using DataWeaver.Connectors.Memory;
using DataWeaver.Hosting;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Tests.Support;
using Xunit.Abstractions;

namespace DataWeaver.Tests.Crash;

/// <summary>Signal-driven shutdown: a real SIGTERM to the crash harness, and the drain/abort rules in process.</summary>
public sealed class PipelineShutdownTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task RunUntilSignalAsync_SigtermToHarness_DrainsExitsZeroAndCheckpointEqualsOutput()
    {
        using var files = new CrashHarnessFiles(300_000);
        using (var process = files.Start(maxInFlight: 4096, batchSize: 256, pauseEvery: 200))
        {
            Assert.True(await files.WaitForOutputAsync(process, files.ExpectedOutputBytes / 10, Guard), "the harness ended before the signal");
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await kill.WaitForExitAsync();
            }

            await process.WaitForExitAsync().WaitAsync(Guard);
            var said = await process.StandardOutput.ReadToEndAsync();
            output.WriteLine($"after SIGTERM: exit code {process.ExitCode}; {said.Trim()}");
            Assert.Equal(0, process.ExitCode);
        }

        var (ids, torn) = files.ReadOutput();
        var (offset, committedLines) = await files.CommittedAsync();
        output.WriteLine($"drained: output {ids.Count} lines, committed offset {offset} = {committedLines} input lines");
        Assert.False(torn);
        Assert.InRange(committedLines, 1, files.Lines - 1);              // stopped in the middle
        Assert.Equal(Enumerable.Range(0, committedLines).Select(i => (long)i), ids); // checkpoint == output

        using (var again = files.Start(maxInFlight: 4096, batchSize: 256))
        {
            await again.WaitForExitAsync().WaitAsync(Guard);
            Assert.Equal(0, again.ExitCode);
        }

        var (all, _) = files.ReadOutput();
        output.WriteLine($"restarted: output {all.Count} lines for {files.Lines} input lines: 0 lost, {all.Count - all.Distinct().Count()} duplicates");
        Assert.Equal(Enumerable.Range(0, files.Lines).Select(i => (long)i), all);   // 0 lost, 0 duplicates
    }

    [Fact]
    public async Task RunUntilSignalAsync_FirstSignal_DrainsAndCompletes()
    {
        var signals = new ManualSignals();
        var sink = new SlowSink<long>(TimeSpan.FromMilliseconds(1));
        var source = new GeneratorSource<long>(n => n);                // endless
        var pipeline = Pipeline.From(source, new PipelineOptions { MaxInFlightRecords = 4096, CommitInterval = TimeSpan.Zero }).To(sink).Build();

        var running = PipelineShutdown.RunUntilSignalAsync(pipeline, TimeSpan.FromSeconds(30), signals.Subscribe, CancellationToken.None);
        while (sink.Written < 5_000)
        {
            await Task.Delay(5);
        }

        signals.Raise();
        var state = await running.WaitAsync(Guard);

        Assert.Equal(PipelineState.Stopped, state);
        Assert.Equal(Enumerable.Range(0, sink.Records.Count).Select(i => (long)i), sink.Records);
        Assert.True(signals.Disposed);
    }

    [Fact]
    public async Task RunUntilSignalAsync_SecondSignal_AbortsAtOnce()
    {
        var signals = new ManualSignals();
        var sink = new GatedSink<long>();                              // never lets a batch through: a drain cannot end
        var pipeline = Pipeline.From(new GeneratorSource<long>(n => n)).To(sink).Build();

        var running = PipelineShutdown.RunUntilSignalAsync(pipeline, Timeout.InfiniteTimeSpan, signals.Subscribe, CancellationToken.None);
        await sink.Blocked.WaitAsync(Guard);
        signals.Raise();
        await Task.Delay(50);
        Assert.False(running.IsCompleted);                             // draining, waiting for the sink
        signals.Raise();

        Assert.Equal(PipelineState.Aborted, await running.WaitAsync(Guard));
    }

    [Fact]
    public async Task RunUntilSignalAsync_DrainTimeoutPasses_Aborts()
    {
        var signals = new ManualSignals();
        var clock = new ManualTimeProvider();
        var sink = new GatedSink<long>();
        var pipeline = Pipeline.From(new GeneratorSource<long>(n => n), new PipelineOptions { TimeProvider = clock }).To(sink).Build();

        var running = PipelineShutdown.RunUntilSignalAsync(pipeline, TimeSpan.FromSeconds(10), signals.Subscribe, CancellationToken.None);
        await sink.Blocked.WaitAsync(Guard);
        signals.Raise();
        clock.Advance(TimeSpan.FromSeconds(9));
        await Task.Delay(50);
        Assert.False(running.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal(PipelineState.Aborted, await running.WaitAsync(Guard));
    }

    [Fact]
    public async Task RunUntilSignalAsync_SourceRunsOut_CompletesWithoutSignal()
    {
        var sink = new CollectionSink<int>();
        var pipeline = Pipeline.From(new CollectionSource<int>([1, 2, 3])).To(sink).Build();

        var state = await PipelineShutdown.RunUntilSignalAsync(pipeline, TimeSpan.FromSeconds(5));

        Assert.Equal(PipelineState.Completed, state);
        Assert.Equal([1, 2, 3], sink.Records);
    }

    [Fact]
    public async Task RunUntilSignalAsync_StageFails_ThrowsTheOriginalException()
    {
        var pipeline = Pipeline.From(new CollectionSource<int>([1, 2, 3]))
            .Map<int>(x => x == 2 ? throw new FormatException("bad two") : x)
            .To(new CollectionSink<int>())
            .Build();

        var error = await Assert.ThrowsAsync<FormatException>(() => PipelineShutdown.RunUntilSignalAsync(pipeline, TimeSpan.FromSeconds(5)));
        Assert.Equal("bad two", error.Message);
    }

    [Fact]
    public async Task RunUntilSignalAsync_NegativeTimeout_Throws() =>
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() =>
            PipelineShutdown.RunUntilSignalAsync(Pipeline.From(new CollectionSource<int>([1])).To(new CollectionSink<int>()).Build(), TimeSpan.FromSeconds(-2)));

    private sealed class ManualSignals
    {
        private Action? _handler;

        public bool Disposed { get; private set; }

        public IDisposable Subscribe(Action handler)
        {
            _handler = handler;
            return new Subscription(this);
        }

        public void Raise() => _handler!();

        private sealed class Subscription(ManualSignals owner) : IDisposable
        {
            public void Dispose() => owner.Disposed = true;
        }
    }
}
