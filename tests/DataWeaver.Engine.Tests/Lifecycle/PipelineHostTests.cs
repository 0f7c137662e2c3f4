using System.Collections.Concurrent;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Lifecycle;

public sealed class PipelineHostTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Start_FailingTwiceThenSucceeding_RestartsWithDoublingBackoffAndCompletes()
    {
        var clock = new ManualTimeProvider();
        var attempts = 0;
        var sink = new CollectionSink<int>();
        var host = new PipelineHost(
            "flaky",
            () =>
            {
                var attempt = Interlocked.Increment(ref attempts);
                return Pipeline.From(new CollectionSource<int>([1, 2, 3]))
                    .Map(x => attempt <= 2 ? throw new DataWeaverException(ErrorClass.Transient, "broker away") : x)
                    .To(sink)
                    .Build();
            },
            new PipelineHostOptions { Restart = new PipelineRestartPolicy { MaxRestarts = 5, Delay = TimeSpan.FromSeconds(1), MaxDelay = TimeSpan.FromSeconds(10) }, TimeProvider = clock });
        var changes = Record(host);

        host.Start();
        await WaitUntilAsync(() => host.State == PipelineState.Restarting && host.Restarts == 1);
        clock.Advance(TimeSpan.FromMilliseconds(999));
        Assert.Equal(1, Volatile.Read(ref attempts));                  // the first delay is 1 s
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await WaitUntilAsync(() => host.State == PipelineState.Restarting && host.Restarts == 2);
        clock.Advance(TimeSpan.FromMilliseconds(1999));
        Assert.Equal(2, Volatile.Read(ref attempts));                  // the second 2 s
        clock.Advance(TimeSpan.FromMilliseconds(1));
        await host.Completion.WaitAsync(Guard);

        Assert.Equal(PipelineState.Completed, host.State);
        Assert.Equal(3, attempts);
        Assert.Equal([1, 2, 3], sink.Records);
        Assert.Equal(
            ["Created>Running", "Running>Restarting", "Restarting>Running", "Running>Restarting", "Restarting>Running", "Running>Completed"],
            changes);
        Assert.All(changes, c => Assert.True(PipelineStates.IsAllowed(Enum.Parse<PipelineState>(c.Split('>')[0]), Enum.Parse<PipelineState>(c.Split('>')[1])), c));
    }

    [Fact]
    public async Task RequestStop_DuringRestartDelay_EndsFailedWithoutStartingAgain()
    {
        var clock = new ManualTimeProvider();
        var attempts = 0;
        var host = new PipelineHost(
            "broken",
            () =>
            {
                Interlocked.Increment(ref attempts);
                return Pipeline.From(new CollectionSource<int>([1])).Map<int>(_ => throw new InvalidOperationException("bug")).To(new CollectionSink<int>()).Build();
            },
            new PipelineHostOptions { Restart = new PipelineRestartPolicy { MaxRestarts = 3 }, TimeProvider = clock });

        host.Start();
        await WaitUntilAsync(() => host.State == PipelineState.Restarting);
        host.RequestStop();
        clock.Advance(TimeSpan.FromMinutes(10));
        await host.Completion.WaitAsync(Guard);

        Assert.Equal(PipelineState.Failed, host.State);                // its last run failed: a stop does not hide that
        Assert.Equal(1, attempts);
        Assert.Equal("bug", host.LastError?.Message);
    }

    [Fact]
    public async Task Start_NoRestartLeft_FailsWithErrorStageAndClass()
    {
        var host = new PipelineHost(Pipeline.From(new CollectionSource<int>([1])).Map<int>(_ => throw new DataWeaverException(ErrorClass.Data, "bad"), "parse").To(new CollectionSink<int>()).Build());

        host.Start();
        await host.Completion.WaitAsync(Guard);

        Assert.Equal((PipelineState.Failed, ErrorClass.Data, "parse"), (host.State, host.LastErrorClass, host.LastErrorStage));
    }

    [Fact]
    public async Task Start_FactoryThrows_FailsInStageFactoryWithoutRestart()
    {
        var host = new PipelineHost("unbuildable", () => throw new PipelineConfigurationException("no such type"), new PipelineHostOptions { Restart = new PipelineRestartPolicy { MaxRestarts = 3, Delay = TimeSpan.Zero } });

        Assert.Null(host.Start());
        await host.Completion.WaitAsync(Guard);

        Assert.Equal((PipelineState.Failed, "(factory)", 0), (host.State, host.LastErrorStage, host.Restarts));
    }

    [Fact]
    public async Task RequestStop_DrainTimeoutPasses_Aborts()
    {
        var clock = new ManualTimeProvider();
        var sink = new GatedSink<long>();
        var host = new PipelineHost(Pipeline.From(new CountingSource()).To(sink).Build(), new PipelineHostOptions { DrainTimeout = TimeSpan.FromSeconds(10), TimeProvider = clock });
        host.Start();
        await sink.Blocked.WaitAsync(Guard);

        host.RequestStop();
        Assert.Equal(PipelineState.Draining, host.State);
        clock.Advance(TimeSpan.FromSeconds(10));
        await host.Completion.WaitAsync(Guard);

        Assert.Equal(PipelineState.Aborted, host.State);
    }

    [Fact]
    public async Task State_RunEnds_IsFinalBeforeTheRunsCompletionTaskReturns()
    {
        var host = new PipelineHost(Pipeline.From(new CollectionSource<int>([1, 2])).To(new CollectionSink<int>()).Build());

        var run = host.Start()!;
        await run.Completion.WaitAsync(Guard);

        Assert.Equal(PipelineState.Completed, host.State);             // no window where the run ended and the host says running
    }

    [Fact]
    public void Transitions_EveryStateReachableFromCreatedAndEveryEndedStateRestartable()
    {
        var reachable = new HashSet<PipelineState> { PipelineState.Created };
        var queue = new Queue<PipelineState>(reachable);
        while (queue.TryDequeue(out var state))
        {
            foreach (var t in PipelineStates.Transitions.Where(t => t.From == state && reachable.Add(t.To)))
            {
                queue.Enqueue(t.To);
            }
        }

        Assert.Equal(Enum.GetValues<PipelineState>().ToHashSet(), reachable);
        Assert.All(Enum.GetValues<PipelineState>().Where(PipelineStates.IsEnded), s => Assert.True(PipelineStates.IsAllowed(s, PipelineState.Running)));
        Assert.DoesNotContain(PipelineStates.Transitions, t => t.From == t.To);
    }

    private static ConcurrentQueue<string> Record(PipelineHost host)
    {
        var changes = new ConcurrentQueue<string>();
        host.StateChanged += (_, e) => changes.Enqueue($"{e.Previous}>{e.Current}");
        return changes;
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            await Task.Delay(5, guard.Token);
        }
    }
}
