using System.Collections.Concurrent;
using DataWeaver.AsyncMap;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Tests.Pipelines;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Stateful;

public sealed class AsyncMapTests
{
    [Fact]
    public async Task MapAsync_Ordered_KeepsInputOrderAndNeverExceedsTheConcurrency()
    {
        const int Count = 20_000;
        var probe = new ConcurrencyProbe();
        var sink = new CollectionSink<long>();
        var source = new CountingSource(count: Count);

        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 100 })
            .MapAsync((id, ct) => probe.CallAsync(id, id * 2, ct), new AsyncMapOptions { MaxConcurrency = 32 })
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        Assert.Equal(Enumerable.Range(0, Count).Select(i => i * 2L), sink.Records);
        Assert.InRange(probe.MaxActive, 2, 32);
        Assert.Equal(new SourcePosition(0, Count), source.Commits.Last());
    }

    [Fact]
    public async Task MapAsync_Unordered_DeliversEveryRecordOnceWithinTheConcurrency()
    {
        const int Count = 20_000;
        var probe = new ConcurrencyProbe();
        var sink = new CollectionSink<long>();
        var source = new CountingSource(count: Count);

        await Pipeline.From(source, new PipelineOptions { BatchSize = 64 })
            .MapAsync((id, ct) => probe.CallAsync(id, id, ct), new AsyncMapOptions { MaxConcurrency = 8, PreserveOrder = false })
            .To(sink)
            .Build()
            .RunAsync();

        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i), sink.Records.Order());
        Assert.InRange(probe.MaxActive, 2, 8);
        Assert.Equal(new SourcePosition(0, Count), source.Commits.Last());
    }

    [Fact]
    public async Task MapAsync_TransientAndDataFailures_RetriesThenDeadLettersExactlyTheBadRecords()
    {
        const int Count = 50_000;
        var attempts = new ConcurrentDictionary<long, int>();
        var sink = new CollectionSink<long>();
        var deadLetters = new CollectionSink<DeadLetter>("dlq");
        var source = new CountingSource(count: Count);

        var run = Pipeline.From(source)
            .MapAsync(async (id, ct) =>
            {
                await Task.Yield();
                if (id % 200 == 13)
                {
                    throw new DataWeaverException(ErrorClass.Data, $"record {id} is unknown to the service");
                }

                if (id % 100 == 7 && attempts.AddOrUpdate(id, 1, (_, n) => n + 1) == 1)
                {
                    throw new DataWeaverException(ErrorClass.Transient, $"record {id}: service busy");
                }

                return id;
            }, new AsyncMapOptions { MaxConcurrency = 16, Name = "enrich" })
            .OnError(e => e.Retry(3, TimeSpan.Zero).DeadLetterTo(deadLetters))
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        var bad = Enumerable.Range(0, Count).Where(i => i % 200 == 13).Select(i => (long)i).ToHashSet();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i).Where(i => !bad.Contains(i)), sink.Records);
        Assert.Equal(bad.Order(), deadLetters.Records.Select(d => (long)d.Value!).Order());
        Assert.Equal(Count / 100, run.Statistics.Retries);
        Assert.Equal(bad.Count, run.Statistics.RecordsDeadLettered);
        Assert.Equal(new SourcePosition(0, Count), source.Commits.Last());
        var letter = deadLetters.Records.Single(d => (long)d.Value! == 13);
        Assert.Equal("enrich", letter.Stage);
        Assert.Equal(ErrorClass.Data, letter.ErrorClass);
        Assert.Equal("record 13 is unknown to the service", letter.Exception.Message);
    }

    [Fact]
    public async Task MapAsync_FailPolicy_FailsTheRunAndCommitsNothingPastTheFailedRecord()
    {
        var sink = new CollectionSink<long>();
        var source = new CountingSource(count: 100_000);

        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 100, CommitInterval = TimeSpan.FromMilliseconds(1) })
            .MapAsync(async (id, ct) =>
            {
                await Task.Yield();
                return id == 5_050 ? throw new DataWeaverException(ErrorClass.Data, "bad") : id;
            })
            .To(sink)
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<DataWeaverException>(() => run.Completion);
        Assert.Equal("bad", error.Message);
        Assert.All(source.Commits, c => Assert.True(c.Offset <= 5_000, $"committed {c.Offset}"));
        Assert.DoesNotContain(5_050L, sink.Records);
    }

    [Fact]
    public async Task MapAsync_AttemptTimeout_AHangingCallIsCancelledAndRetried()
    {
        var calls = new ConcurrentDictionary<long, int>();
        var sink = new CollectionSink<long>();

        await Pipeline.From(new CountingSource(count: 100))
            .MapAsync(async (id, ct) =>
            {
                if (id == 42 && calls.AddOrUpdate(id, 1, (_, n) => n + 1) == 1)
                {
                    await Task.Delay(Timeout.Infinite, ct); // hangs until the attempt times out
                }

                return id;
            })
            .OnError(e => e.Retry(2, TimeSpan.Zero).Timeout(TimeSpan.FromMilliseconds(50)))
            .To(sink)
            .Build()
            .RunAsync();

        Assert.Equal(Enumerable.Range(0, 100).Select(i => (long)i), sink.Records);
        Assert.Equal(2, calls[42]);
    }

    [Fact]
    public async Task MapAsync_CallsNeverFinish_SourceStopsAtTheInFlightBound()
    {
        const int MaxInFlight = 2_048;
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var sink = new CollectionSink<long>();
        var source = new CountingSource();
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 128, MaxInFlightRecords = MaxInFlight })
            .MapAsync(async (id, ct) =>
            {
                await release.Task.WaitAsync(ct);
                return id;
            }, new AsyncMapOptions { MaxConcurrency = 4 })
            .To(sink)
            .Build()
            .Start();

        // The stage's batch slots and input queue fill, then the source waits: reading stops, bounded.
        await LifecycleTests.WaitUntil(() => source.Read >= 256);
        long before;
        do
        {
            before = source.Read;
            await Task.Delay(100);
        }
        while (source.Read != before);
        Assert.InRange(source.Read, 256, MaxInFlight + 128);

        run.Abort();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Completion);
        Assert.Empty(sink.Records);
    }

    [Fact]
    public void MapAsync_ConcurrencyOutOfRange_BuildListsTheProblem()
    {
        var error = Assert.Throws<PipelineConfigurationException>(() => Pipeline.From(new CountingSource(count: 1))
            .MapAsync((id, _) => ValueTask.FromResult(id), new AsyncMapOptions { MaxConcurrency = 0, Name = "lookup" })
            .To(new CollectionSink<long>())
            .Build());
        Assert.Contains("Stage 'lookup': MaxConcurrency must be from 1 to 4096 (was 0).", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Counts the calls running at once; each call yields a few times before answering.</summary>
    internal sealed class ConcurrencyProbe
    {
        private int _active;
        private int _maxActive;

        public int MaxActive => Volatile.Read(ref _maxActive);

        public async ValueTask<long> CallAsync(long id, long answer, CancellationToken cancellationToken)
        {
            var now = Interlocked.Increment(ref _active);
            int seen;
            while (now > (seen = Volatile.Read(ref _maxActive)) && Interlocked.CompareExchange(ref _maxActive, now, seen) != seen)
            {
            }

            // Calls finish out of order: some wait longer than others.
            for (var i = 0; i < 1 + (id % 7); i++)
            {
                await Task.Yield();
            }

            if (id % 97 == 0)
            {
                await Task.Delay(1, cancellationToken);
            }

            Interlocked.Decrement(ref _active);
            return answer;
        }
    }
}
