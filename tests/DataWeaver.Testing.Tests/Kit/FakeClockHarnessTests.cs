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

        // The clock only moves when the test moves it, so these bounds hold on any machine (a slow one only moves it further).
        Assert.InRange(afterOneSecond, 0, 101);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(2.98), $"300 records at 100/s took {clock.Elapsed} of fake time");
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

        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(5), $"the first commit came at {clock.Elapsed} of fake time");
        Assert.True(elapsed > TimeSpan.Zero);
    }

    [Fact]
    public async Task AdvanceUntil_ConditionNeverHolds_FailsAfterTheLimitOfFakeTime()
    {
        var clock = new FakeClockHarness();

        await Assert.ThrowsAsync<TimeoutException>(() => clock.AdvanceUntilAsync(() => false, TimeSpan.FromMinutes(1), limit: TimeSpan.FromMinutes(10)));

        Assert.Equal(TimeSpan.FromMinutes(10), clock.Elapsed);
    }
}
