using System.Collections.Concurrent;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Records;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.ErrorHandling;

public sealed class ErrorPolicyTests
{
    [Fact]
    public async Task Run_OneMillionWithTransientAndDataFailures_LosesNothingAndDeadLettersExactlyTheBadRecords()
    {
        const int Count = 1_000_000;
        var attempts = new ConcurrentDictionary<long, int>();
        var sink = new FlakySink(failureRate: 0.02, seed: 7);
        var deadLetters = new CollectionSink<DeadLetter>("dlq");
        var source = new CountingSource(count: Count);

        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(50) })
            .Map(id =>
            {
                if (id % 200 == 13)
                {
                    throw new DataWeaverException(ErrorClass.Data, $"record {id} is malformed");
                }

                if (id % 100 == 7 && attempts.AddOrUpdate(id, 1, (_, n) => n + 1) == 1)
                {
                    throw new DataWeaverException(ErrorClass.Transient, $"record {id}: service busy");
                }

                return id;
            })
            .OnError(e => e.Retry(3, TimeSpan.Zero).DeadLetterTo(deadLetters))
            .To(sink)
            .OnError(e => e.Retry(10, TimeSpan.Zero))
            .Build()
            .Start();
        await run.Completion;

        var dataFailures = Enumerable.Range(0, Count).Where(i => i % 200 == 13).Select(i => (long)i).ToHashSet();
        var delivered = sink.Records;
        Assert.Equal(Count - dataFailures.Count, delivered.Count);
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i).Where(i => !dataFailures.Contains(i)), delivered);
        Assert.Equal(dataFailures.Order(), deadLetters.Records.Select(d => (long)d.Value!).Order());
        Assert.True(sink.FailedWrites > 0, "the sink failed some writes");
        Assert.Equal(Count / 100, attempts.Count);
        Assert.Equal(new SourcePosition(0, Count), source.Commits.Last());
        Assert.Equal(dataFailures.Count, run.Statistics.RecordsDeadLettered);
        Assert.Equal(Count / 100 + sink.FailedWrites, run.Statistics.Retries);

        var letter = deadLetters.Records.Single(d => (long)d.Value! == 13);
        Assert.Equal(ErrorClass.Data, letter.ErrorClass);
        Assert.Equal("map1", letter.Stage);
        Assert.Equal("counting", letter.Source);
        Assert.Equal(1, letter.Attempts);
        Assert.Equal("record 13 is malformed", letter.Exception.Message);
        Assert.Equal(0, letter.BatchEnd!.Value.Partition);
        Assert.True(letter.BatchEnd.Value.Offset > 13);
        Assert.Equal(
            [DeadLetterHeaders.ErrorClass, DeadLetterHeaders.ErrorType, DeadLetterHeaders.ErrorMessage, DeadLetterHeaders.Stage, DeadLetterHeaders.Source,
             DeadLetterHeaders.Attempts, DeadLetterHeaders.Time, DeadLetterHeaders.SourcePartition, DeadLetterHeaders.SourceBatchEnd],
            letter.Headers.Select(h => h.Name));
        Assert.Equal("Data", letter.Headers.GetLastString(DeadLetterHeaders.ErrorClass));
        Assert.Equal("13", System.Text.Encoding.UTF8.GetString(letter.Payload.Span));
    }

    [Fact]
    public async Task Run_OrderedParallelWithDelayedRetriesAndDeadLetters_KeepsOrderAndDeadLettersExactlyTheBadRecords()
    {
        const int Count = 200_000;
        var attempts = new ConcurrentDictionary<long, int>();
        var sink = new CollectionSink<long>("out");
        var deadLetters = new CollectionSink<DeadLetter>("dlq");

        // A record failing twice waits for the retry delay: its batch finishes asynchronously, after the parallel block moved on.
        var run = Pipeline.From(new CountingSource(count: Count), new PipelineOptions { BatchSize = 256 })
            .Parallel(2)
            .Map(id =>
            {
                if (id % 1000 == 13)
                {
                    throw new DataWeaverException(ErrorClass.Data, $"record {id} is malformed");
                }

                if (id % 700 == 7 && attempts.AddOrUpdate(id, 1, (_, n) => n + 1) <= 2)
                {
                    throw new DataWeaverException(ErrorClass.Transient, $"record {id}: service busy");
                }

                return id;
            })
            .OnError(e => e.Retry(3, TimeSpan.FromMilliseconds(1)).DeadLetterTo(deadLetters))
            .To(sink)
            .Build()
            .Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(5));

        var dataFailures = Enumerable.Range(0, Count).Where(i => i % 1000 == 13).Select(i => (long)i).ToHashSet();
        Assert.Equal(Enumerable.Range(0, Count).Select(i => (long)i).Where(i => !dataFailures.Contains(i)), sink.Records);
        Assert.Equal(dataFailures.Order(), deadLetters.Records.Select(d => (long)d.Value!).Order());
        Assert.Equal(Enumerable.Range(0, Count).Count(i => i % 700 == 7), attempts.Count);
        Assert.Equal(dataFailures.Count, run.Statistics.RecordsDeadLettered);
    }

    [Fact]
    public async Task DeadLetterSinkFails_PositionsNeverPassARecordNeitherDeliveredNorDeadLettered()
    {
        var sink = new CollectionSink<long>();
        var source = new CountingSource(count: 100_000);
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 100, CommitInterval = TimeSpan.FromMilliseconds(1) })
            .Map(id => id == 5_050 ? throw new DataWeaverException(ErrorClass.Data, "bad") : id)
            .OnError(e => e.DeadLetterTo(new BrokenDeadLetterSink()))
            .To(sink)
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<IOException>(() => run.Completion);

        Assert.Equal("dead-letter store unavailable", error.Message);
        Assert.True(run.AcknowledgedPositions.Single().Offset <= 5_050, $"acknowledged {run.AcknowledgedPositions.Single()}");
        Assert.All(source.Commits, c => Assert.True(c.Offset <= 5_050, $"committed {c}"));
    }

    [Fact]
    public async Task ParallelByKey_OneKeyKeepsFailing_OtherKeysProgressAndOrderHolds()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var records = Enumerable.Range(0, 20_000).Select(i => (Key: i % 20, Seq: (long)i)).ToArray();
        var sink = new CollectionSink<(int Key, long Seq)>();
        var run = Pipeline.From(new CollectionSource<(int Key, long Seq)>(records), new PipelineOptions { BatchSize = 50 })
            .ParallelByKey(4, r => r.Key)
            .Map(r => r.Seq == 3 && !release.Task.IsCompleted ? throw new DataWeaverException(ErrorClass.Transient, "stuck") : r)
            .OnError(e => e.Retry(100, TimeSpan.FromMilliseconds(5), TimeSpan.FromMilliseconds(20)))
            .To(sink)
            .Build()
            .Start();

        // While record 3 (key 3) keeps failing, the keys in other lanes are all delivered.
        await WaitUntil(() => sink.Records.Count(r => !SameLane(r.Key, 3)) == records.Count(r => !SameLane(r.Key, 3)));
        Assert.DoesNotContain(sink.Records, r => r.Key == 3 && r.Seq >= 3);
        release.SetResult();
        await run.Completion;

        Assert.Equal(records.Length, sink.Records.Count);
        foreach (var key in sink.Records.GroupBy(r => r.Key))
        {
            Assert.Equal(records.Where(r => r.Key == key.Key).Select(r => r.Seq), key.Select(r => r.Seq));
        }
    }

    [Fact]
    public async Task Skip_DataErrors_AreCountedAndAcknowledged()
    {
        var sink = new CollectionSink<int>();
        var run = Pipeline.From(new CollectionSource<int>([.. Enumerable.Range(0, 1_000)]))
            .Filter(x => x % 10 == 0 ? throw new FormatException("bad") : true)
            .OnError(e => e.Skip())
            .To(sink)
            .Build()
            .Start(CancellationToken.None);

        var options = new PipelineOptions { UnknownErrorClass = ErrorClass.Data };
        await Assert.ThrowsAsync<FormatException>(() => run.Completion);

        var lenient = new CollectionSink<int>();
        var second = Pipeline.From(new CollectionSource<int>([.. Enumerable.Range(0, 1_000)]), options)
            .Filter(x => x % 10 == 0 ? throw new FormatException("bad") : true)
            .OnError(e => e.Skip())
            .To(lenient)
            .Build()
            .Start();
        await second.Completion;

        Assert.Equal(Enumerable.Range(0, 1_000).Where(x => x % 10 != 0), lenient.Records);
        Assert.Equal(100, second.Statistics.RecordsSkipped);
        Assert.Equal(new SourcePosition(0, 1_000), Assert.Single(second.AcknowledgedPositions));
    }

    [Fact]
    public async Task SinkDataError_IsolatesThePoisonRecord()
    {
        var sink = new PoisonSink(poison: 777);
        var deadLetters = new CollectionSink<DeadLetter>("dlq");
        var run = Pipeline.From(new CollectionSource<int>([.. Enumerable.Range(0, 5_000)]))
            .To(sink)
            .OnError(e => e.DeadLetterTo(deadLetters))
            .Build()
            .Start();

        await run.Completion;

        Assert.Equal(Enumerable.Range(0, 5_000).Where(x => x != 777), sink.Written.Order());
        var letter = Assert.Single(deadLetters.Records);
        Assert.Equal(777, letter.Value);
        Assert.Equal("poison", letter.Stage);
        Assert.Equal(new SourcePosition(0, 5_000), Assert.Single(run.AcknowledgedPositions));
    }

    [Fact]
    public async Task FatalError_WithDeadLetterPolicy_StillFails()
    {
        var deadLetters = new CollectionSink<DeadLetter>("dlq");
        var run = Pipeline.From(new CollectionSource<int>([1, 2, 3]))
            .Map(x => x == 2 ? throw new DataWeaverException(ErrorClass.Fatal, "credentials revoked") : x)
            .OnError(e => e.Retry(3).DeadLetterTo(deadLetters))
            .To(new CollectionSink<int>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<DataWeaverException>(() => run.Completion);

        Assert.Equal("credentials revoked", error.Message);
        Assert.Empty(deadLetters.Records);
    }

    [Fact]
    public void OnError_AfterParallel_Throws()
    {
        var builder = Pipeline.From(new CollectionSource<int>([1])).Parallel(2);

        var error = Assert.Throws<InvalidOperationException>(() => builder.OnError(e => e.Skip()));

        Assert.Contains("here it follows 'parallel1'", error.Message, StringComparison.Ordinal);
    }

    private static bool SameLane(int key, int other) => LaneOf(key) == LaneOf(other);

    /// <summary>The engine's lane choice for an int key with 4 lanes (same mixing as KeyPartitioner).</summary>
    private static int LaneOf(int key)
    {
        var hash = (uint)key.GetHashCode();
        hash ^= hash >> 16;
        hash *= 0x7feb352d;
        hash ^= hash >> 15;
        return (int)(hash % 4);
    }

    private static Task WaitUntil(Func<bool> condition) => Pipelines.LifecycleTests.WaitUntil(condition);

    /// <summary>Fails a seeded share of its writes with a transient error before writing anything.</summary>
    private sealed class FlakySink(double failureRate, int seed) : SinkConnector<long>("flaky")
    {
        private readonly Random _random = new(seed);
        private readonly List<long> _records = [];
        private int _failedWrites;

        public int FailedWrites => Volatile.Read(ref _failedWrites);

        public List<long> Records => [.. _records];

        public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default)
        {
            if (_random.NextDouble() < failureRate)
            {
                Interlocked.Increment(ref _failedWrites);
                throw new DataWeaverException(ErrorClass.Transient, "write timed out");
            }

            _records.AddRange(batch.Span);
            return default;
        }
    }

    private sealed class BrokenDeadLetterSink() : SinkConnector<DeadLetter>("broken-dlq")
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<DeadLetter> batch, CancellationToken cancellationToken = default) =>
            throw new IOException("dead-letter store unavailable");
    }

    /// <summary>Rejects any batch holding the poison record with a data error, as a database rejects a bad row.</summary>
    private sealed class PoisonSink(int poison) : SinkConnector<int>("poison")
    {
        private readonly ConcurrentQueue<int> _written = new();

        public IReadOnlyList<int> Written => [.. _written];

        public override ValueTask WriteAsync(ReadOnlyMemory<int> batch, CancellationToken cancellationToken = default)
        {
            if (batch.Span.Contains(poison))
            {
                throw new DataWeaverException(ErrorClass.Data, $"row {poison} violates a constraint");
            }

            foreach (var x in batch.Span)
            {
                _written.Enqueue(x);
            }

            return default;
        }
    }
}
