using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Tests.Lifecycle;

/// <summary>Issue 11, found 3: the counters a progress display shows are true.</summary>
public sealed class RunCountersTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Statistics_IdleSourceAfterReading500_ShowsNoRecordInFlight()
    {
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(new IdleAfterSource(500), new PipelineOptions { CommitInterval = TimeSpan.Zero }).To(sink).Build().Start();
        using var guard = new CancellationTokenSource(Guard);
        while (sink.Count < 500 || run.Statistics.CommitLag != 0)
        {
            await Task.Delay(5, guard.Token);
        }

        var statistics = run.Statistics;

        Assert.Equal(0, statistics.RecordsInFlight);                   // was 1,024: the credits of the fill waiting for data
        Assert.Equal(500, statistics.RecordsRead);
        Assert.InRange(statistics.PeakRecordsInFlight, 1, 500);
        Assert.Equal(65_536, statistics.MaxRecordsInFlight);
        await run.StopAsync().WaitAsync(Guard);
    }

    [Fact]
    public async Task Statistics_DeadLetters_AreNotCountedAsRecordsOut()
    {
        var sink = new CollectionSink<int>("out");
        var deadLetters = new CollectionSink<DeadLetter>("dlq");
        var run = Pipeline.From(new CollectionSource<int>([1, 2, 3, 4]))
            .Map(x => x == 4 ? throw new DataWeaverException(ErrorClass.Data, "bad") : x)
            .OnError(e => e.DeadLetterTo(deadLetters))
            .To(sink)
            .Build()
            .Start();

        await run.Completion.WaitAsync(Guard);
        var statistics = run.Statistics;

        Assert.Equal(3, sink.Count);
        Assert.Single(deadLetters.Records);
        Assert.Equal(3, statistics.RecordsWritten);                    // was 4: the dead letter counted as out
        Assert.Equal([new SinkStatistics("out", 3)], statistics.Sinks);
        Assert.Equal(1, statistics.RecordsDeadLettered);
    }

    [Fact]
    public async Task Statistics_Filter_CountsFilteredAndOutPerSink()
    {
        var evens = new CollectionSink<int>("evens");
        var copy = new CollectionSink<int>("copy");
        var run = Pipeline.From(new CollectionSource<int>([.. Enumerable.Range(0, 100)]))
            .Filter(x => x % 2 == 0)
            .Broadcast(b => b.To(evens), b => b.To(copy))
            .Build()
            .Start();

        await run.Completion.WaitAsync(Guard);
        var statistics = run.Statistics;

        Assert.Equal(50, statistics.RecordsFiltered);
        Assert.Equal([new SinkStatistics("evens", 50), new SinkStatistics("copy", 50)], statistics.Sinks);
        Assert.Equal(100, statistics.RecordsWritten);
    }

    [Fact]
    public async Task Statistics_FilterWithFailingPredicate_CountsOnlyRecordsThePredicateLeftOut()
    {
        var sink = new CollectionSink<int>();
        var run = Pipeline.From(new CollectionSource<int>([.. Enumerable.Range(0, 10)]))
            .Filter(x => x == 5 ? throw new DataWeaverException(ErrorClass.Data, "bad") : x < 3)
            .OnError(e => e.Skip())
            .To(sink)
            .Build()
            .Start();

        await run.Completion.WaitAsync(Guard);

        Assert.Equal((6L, 1L, 3), (run.Statistics.RecordsFiltered, run.Statistics.RecordsSkipped, sink.Count));
    }

    /// <summary>Reads a number of records, then waits for more that never come (a quiet topic, a file being followed).</summary>
    private sealed class IdleAfterSource(int count) : SourceConnector<long>("idle")
    {
        public override async IAsyncEnumerable<long> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            for (var i = 0; i < count; i++)
            {
                yield return i;
            }

            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken).ConfigureAwait(false);
        }
    }
}
