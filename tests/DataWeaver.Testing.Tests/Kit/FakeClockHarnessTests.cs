using DataWeaver.Connectors.Generator;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Testing.Sequences;
using DataWeaver.Testing.Time;

namespace DataWeaver.Testing.Tests.Kit;

public sealed class FakeClockHarnessTests
{
    [Fact]
    public async Task AdvanceUntil_GeneratorAtARate_DeliversAtThatRateOfFakeTime()
    {
        // snippet: testing-fake-clock
        var clock = new FakeClockHarness();
        var source = new GeneratorSource<long>(n => n, new GeneratorOptions { Count = 300, RecordsPerSecond = 100, TimeProvider = clock.Time });
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(source, clock.WithClock()).To(sink).Build().Start();

        await clock.AdvanceAsync(TimeSpan.FromSeconds(1), step: TimeSpan.FromMilliseconds(100)); // one second of fake time
        var afterOneSecond = sink.Count;                                                        // about 100 records
        var elapsed = await clock.AdvanceUntilAsync(() => run.Completion.IsCompleted, TimeSpan.FromMilliseconds(100));
        // end snippet
        await run.Completion;

        Assert.InRange(afterOneSecond, 1, 101);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.98), TimeSpan.FromSeconds(3.5));
        Assert.True(elapsed > TimeSpan.Zero);
        SequenceChecker.Check(sink.Records, 300).AssertExactlyOnceInOrder();
    }

    [Fact]
    public async Task AdvanceUntil_CommitInterval_CommitsOnlyWhenTheIntervalOfFakeTimePassed()
    {
        var clock = new FakeClockHarness();
        var source = new GeneratorSource<long>(n => n, new GeneratorOptions { RecordsPerSecond = 1_000, TimeProvider = clock.Time });
        var commits = 0;
        var run = Pipeline.From(source, clock.WithClock(new PipelineOptions { CommitInterval = TimeSpan.FromSeconds(5) })).To(new CollectionSink<long>()).Build().Start();
        run.Committed += (_, _) => Interlocked.Increment(ref commits);

        await clock.AdvanceAsync(TimeSpan.FromSeconds(4.5), TimeSpan.FromMilliseconds(500));
        Assert.Equal(0, Volatile.Read(ref commits));
        var elapsed = await clock.AdvanceUntilAsync(() => Volatile.Read(ref commits) > 0, TimeSpan.FromMilliseconds(500));
        await run.StopAsync();

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6));
        Assert.True(elapsed <= TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task AdvanceUntil_ConditionNeverHolds_FailsAfterTheLimitOfFakeTime()
    {
        var clock = new FakeClockHarness();

        await Assert.ThrowsAsync<TimeoutException>(() => clock.AdvanceUntilAsync(() => false, TimeSpan.FromMinutes(1), limit: TimeSpan.FromMinutes(10)));

        Assert.Equal(TimeSpan.FromMinutes(10), clock.Elapsed);
    }
}
