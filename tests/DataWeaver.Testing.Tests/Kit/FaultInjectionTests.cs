using DataWeaver.Connectors.Generator;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Testing.Faults;
using DataWeaver.Testing.Sequences;
using DataWeaver.Testing.Time;

namespace DataWeaver.Testing.Tests.Kit;

public sealed class FaultInjectionTests
{
    private const int Records = 200;
    private static readonly PipelineOptions Options = new() { BatchSize = 10, MaxInFlightRecords = 50 };

    private static long[] Numbers => [.. Enumerable.Range(0, Records).Select(i => (long)i)];

    [Fact]
    public async Task Sink_FailEveryThirdWriteWithRetries_WritesEveryRecordOnce()
    {
        var inner = new CollectionSink<long>();
        var sink = new FaultInjectingSink<long>(inner, new FaultOptions { FailEveryNth = 3 });

        await Pipeline.From(new CollectionSource<long>(Numbers), Options).To(sink).OnError(e => e.Retry(3, TimeSpan.Zero)).Build().RunAsync();

        SequenceChecker.Check(inner.Records, Records).AssertExactlyOnceInOrder();
        Assert.Equal(sink.Injector.Calls / 3, sink.Injector.Failures);
        Assert.True(sink.Injector.Failures > 0);
    }

    [Fact]
    public async Task Sink_TransientThenSucceed_RetriedUntilItSucceeds()
    {
        var inner = new CollectionSink<long>();
        var sink = new FaultInjectingSink<long>(inner, new FaultOptions { TransientFailures = 2 });

        var run = Pipeline.From(new CollectionSource<long>(Numbers), Options).To(sink).OnError(e => e.Retry(3, TimeSpan.Zero)).Build().Start();
        await run.Completion;

        Assert.Equal(2, sink.Injector.Failures);
        Assert.Equal(2, run.Statistics.Retries);
        SequenceChecker.Check(inner.Records, Records).AssertExactlyOnceInOrder();
    }

    [Fact]
    public async Task Sink_TransientFailureWithoutRetries_FailsTheRunWithATransientError()
    {
        var inner = new CollectionSink<long>();
        var sink = new FaultInjectingSink<long>(inner, new FaultOptions { TransientFailures = 1 });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Pipeline.From(new CollectionSource<long>(Numbers), Options).To(sink).Build().RunAsync());

        var injected = Assert.IsType<InjectedFaultException>(error.GetBaseException());
        Assert.Equal(ErrorClass.Transient, injected.ErrorClass);
        Assert.Empty(inner.Records);
    }

    [Fact]
    public async Task Sink_HangFromSecondWrite_WaitsUntilAbortedAndAcknowledgesNothingMore()
    {
        var inner = new CollectionSink<long>();
        var sink = new FaultInjectingSink<long>(inner, new FaultOptions { HangFromCall = 2 });
        var source = new CollectionSource<long>(Numbers);
        var run = Pipeline.From(source, Options with { CommitInterval = TimeSpan.Zero }).To(sink).Build().Start();

        while (sink.Injector.Hangs == 0)
        {
            await Task.Delay(5);
        }

        Assert.False(run.Completion.IsCompleted);
        run.Abort();
        await Assert.ThrowsAnyAsync<Exception>(() => run.Completion);
        Assert.Equal(PipelineState.Aborted, run.State);
        Assert.Equal(Options.BatchSize, inner.Count);
        Assert.Equal(Options.BatchSize, source.Committed);
    }

    [Fact]
    public async Task Sink_DataErrorOnSecondWrite_EngineIsolatesTheBatchAndWritesEveryRecord()
    {
        var inner = new CollectionSink<long>();
        var letters = new CollectionSink<DeadLetter>();
        var sink = new FaultInjectingSink<long>(inner, new FaultOptions { DataErrorAtCall = 2 });

        await Pipeline.From(new CollectionSource<long>(Numbers), Options).To(sink).OnError(e => e.DeadLetterTo(letters)).Build().RunAsync();

        Assert.Equal(1, sink.Injector.Failures);
        Assert.Empty(letters.Records);
        SequenceChecker.Check(inner.Records, Records).AssertExactlyOnceInOrder();
    }

    [Fact]
    public async Task Sink_PoisonRecords_DeadLettersExactlyThemAndWritesTheRest()
    {
        var inner = new CollectionSink<long>();
        var letters = new CollectionSink<DeadLetter>();
        var sink = new FaultInjectingSink<long>(inner, new FaultOptions(), isPoison: n => n % 50 == 7);

        await Pipeline.From(new CollectionSource<long>(Numbers), Options).To(sink).OnError(e => e.DeadLetterTo(letters)).Build().RunAsync();

        Assert.Equal([7L, 57L, 107L, 157L], letters.Records.Select(l => (long)l.Value!));
        Assert.All(letters.Records, l => Assert.Equal(ErrorClass.Data, l.ErrorClass));
        SequenceChecker.Check(inner.Records, Numbers.Where(n => n % 50 != 7)).AssertExactlyOnceInOrder();
    }

    [Fact]
    public async Task Sink_SlowOnAFakeClock_TakesOneDelayPerWriteOfFakeTime()
    {
        var clock = new FakeClockHarness();
        var inner = new CollectionSink<long>();
        var sink = new FaultInjectingSink<long>(inner, new FaultOptions { Delay = TimeSpan.FromSeconds(1), TimeProvider = clock.Time });
        var run = Pipeline.From(new CollectionSource<long>(Numbers), clock.WithClock(Options)).Batch(10).To(sink).Build().Start();

        var elapsed = await clock.AdvanceUntilAsync(() => run.Completion.IsCompleted, TimeSpan.FromMilliseconds(500));
        await run.Completion;

        Assert.Equal(Records / 10, sink.Injector.Calls);
        Assert.True(elapsed >= TimeSpan.FromSeconds(Records / 10), $"{Records / 10} writes of 1 s each took {elapsed} of fake time"); // one write at a time
        SequenceChecker.Check(inner.Records, Records).AssertExactlyOnceInOrder();
    }

    [Fact]
    public async Task Source_FailEverySecondFill_FailsTheRunWithTheInjectedError()
    {
        var source = new FaultInjectingSource<long>(new GeneratorSource<long>(n => n), new FaultOptions { FailEveryNth = 2, FailureClass = ErrorClass.Fatal });

        var error = await Assert.ThrowsAnyAsync<Exception>(() => Pipeline.From(source, Options).To(new CollectionSink<long>()).Build().RunAsync());

        Assert.Equal(ErrorClass.Fatal, Assert.IsType<InjectedFaultException>(error.GetBaseException()).ErrorClass);
        Assert.Equal(2, source.Injector.Calls);
    }

    [Fact]
    public async Task Source_SlowOnAFakeClock_DeliversEverythingAndPassesCommitsOn()
    {
        var clock = new FakeClockHarness();
        var inner = new CollectionSource<long>(Numbers);
        var source = new FaultInjectingSource<long>(inner, new FaultOptions { Delay = TimeSpan.FromMilliseconds(100), TimeProvider = clock.Time });
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(source, clock.WithClock(Options)).To(sink).Build().Start();

        await clock.AdvanceUntilAsync(() => run.Completion.IsCompleted, TimeSpan.FromMilliseconds(100));
        await run.Completion;

        SequenceChecker.Check(sink.Records, Records).AssertExactlyOnceInOrder();
        Assert.Equal(Records, inner.Committed);
        Assert.True(source.Injector.Calls >= Records / Options.BatchSize);
    }
}
