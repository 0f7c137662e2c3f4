using System.Collections.Concurrent;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Diagnostics;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;
using DataWeaver.Tests.Support;
using I = DataWeaver.Diagnostics.DataWeaverInstruments;
using T = DataWeaver.Diagnostics.DataWeaverTags;

namespace DataWeaver.Tests.Diagnostics;

public sealed class MetricsTests
{
    [Fact]
    public async Task Instruments_RunWithInjectedFailures_CountRecordsErrorsRetriesAndDeadLettersExactly()
    {
        const int Count = 10_000;
        var name = "metrics-failures-" + Guid.NewGuid().ToString("N");
        using var metrics = new MetricsCollector(name);
        var firstTries = new ConcurrentDictionary<int, int>();
        var sink = new EveryTenthWriteFailsSink("main");
        var deadLetters = new CollectionSink<DeadLetter>("dlq");

        var run = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, Count).ToArray()), new PipelineOptions { Name = name, BatchSize = 100 })
            .Map(id =>
            {
                if (id % 100 == 13)
                {
                    throw new DataWeaverException(ErrorClass.Data, "malformed");
                }

                if (id % 50 == 7 && firstTries.AddOrUpdate(id, 1, (_, n) => n + 1) == 1)
                {
                    throw new DataWeaverException(ErrorClass.Transient, "busy");
                }

                return id;
            }, name: "parse")
            .OnError(e => e.Retry(3, TimeSpan.Zero).DeadLetterTo(deadLetters))
            .To(sink)
            .OnError(e => e.Retry(3, TimeSpan.Zero))
            .Build()
            .Start();
        await run.Completion;

        // 100 data errors (ids 13, 113, ...), 200 transient ones (7, 57, ...) retried once each; the sink failed its
        // 10th, 20th, ... 110th write call (111 calls for 100 batches) and each was retried once.
        Assert.Equal(Count, metrics.Sum(I.RecordsIn));
        Assert.Equal(Count - 100, metrics.Sum(I.RecordsOut, (T.Sink, "main")));
        Assert.Equal(100, metrics.Sum(I.RecordsOut, (T.Sink, "dlq")));
        Assert.Equal(100, metrics.Sum(I.RecordsDeadLettered, (T.Stage, "parse")));
        Assert.Equal(100, metrics.Sum(I.Errors, (T.Stage, "parse"), (T.ErrorClass, "data")));
        Assert.Equal(200, metrics.Sum(I.Errors, (T.Stage, "parse"), (T.ErrorClass, "transient")));
        Assert.Equal(200, metrics.Sum(I.Retries, (T.Stage, "parse")));
        Assert.Equal(11, metrics.Sum(I.Errors, (T.Stage, "main"), (T.ErrorClass, "transient")));
        Assert.Equal(11, metrics.Sum(I.Retries, (T.Stage, "main")));
        Assert.Equal(0, metrics.Sum(I.Errors, (T.ErrorClass, "fatal")));
        Assert.Equal(0, metrics.Sum(I.RecordsSkipped));
        Assert.Equal(311, metrics.Sum(I.Errors));

        // The run's own counters agree with the instruments.
        var statistics = run.Statistics;
        Assert.Equal(311, statistics.Errors);
        Assert.Equal(211, statistics.Retries);
        Assert.Equal(100, statistics.RecordsDeadLettered);
        Assert.Equal(Count - 100, sink.Records.Count);
        Assert.Equal(0, statistics.CommitLag);

        // One latency measurement per source batch (100 batches of 100), each a duration.
        var latencies = MetricsCollector.Matching(metrics.All, I.Latency).ToList();
        Assert.Equal(Count / 100, latencies.Count);
        Assert.All(latencies, l => Assert.True(l.Value >= 0));
        Assert.True(metrics.Sum(I.Commits) >= 1);
    }

    [Fact]
    public async Task Instruments_StageFailsWithFatalError_CountOneFatalErrorAndReportFailedState()
    {
        var name = "metrics-fatal-" + Guid.NewGuid().ToString("N");
        using var metrics = new MetricsCollector(name);
        var pipeline = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 1_000).ToArray()), new PipelineOptions { Name = name, BatchSize = 100 })
            .Map(id => id == 500 ? throw new InvalidOperationException("bug") : id, name: "enrich")
            .To(new CollectionSink<int>("out"))
            .Build();

        var run = pipeline.Start();
        await Assert.ThrowsAsync<InvalidOperationException>(() => run.Completion);

        Assert.Equal(1, metrics.Sum(I.Errors));
        Assert.Equal(1, metrics.Sum(I.Errors, (T.Stage, "enrich"), (T.ErrorClass, "fatal")));
        Assert.Equal(1, run.Statistics.Errors);
        var states = MetricsCollector.Matching(metrics.Observe(), I.PipelineState).ToDictionary(m => m.Tags[T.State], m => m.Value);
        Assert.Equal(new Dictionary<string, double> { ["running"] = 0, ["pausing"] = 0, ["paused"] = 0, ["draining"] = 0, ["completed"] = 0, ["stopped"] = 0, ["aborted"] = 0, ["failed"] = 1 }, states);
        GC.KeepAlive(pipeline);
    }

    [Fact]
    public async Task ObservableInstruments_SinkBlockedOnFirstBatch_ReportQueuesInFlightCommitLagAndState()
    {
        var name = "metrics-gauges-" + Guid.NewGuid().ToString("N");
        using var metrics = new MetricsCollector(name);
        var sink = new GatedSink<int>(freeBatches: 0, name: "gated");
        var pipeline = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 50).ToArray()), new PipelineOptions { Name = name, BatchSize = 10 })
            .Map(x => x + 1, name: "inc")
            .To(sink, new StageOptions { Capacity = 100 })
            .Build();
        var run = pipeline.Start();
        await sink.Blocked;
        await WaitUntil(() => run.Statistics.Blocks[1].RecordsProcessed == 50 && run.Statistics.Blocks[2].QueuedBatches == 4);

        var observed = metrics.Observe();
        double Gauge(string instrument, params (string, string)[] tags) => Assert.Single(MetricsCollector.Matching(observed, instrument, tags)).Value;
        Assert.Equal(50, Gauge(I.RecordsInFlight));
        Assert.Equal(65_536, Gauge(I.RecordsInFlightLimit));
        Assert.Equal(50, Gauge(I.CommitLag, (T.Partition, "0")));
        Assert.Equal(1, Gauge(I.PipelineState, (T.State, "running")));
        Assert.Equal(0, Gauge(I.PipelineState, (T.State, "completed")));
        Assert.Equal(4, Gauge(I.BlockQueueDepth, (T.Block, "gated"), (T.BlockId, "b2")));
        Assert.Equal(40, Gauge(I.BlockQueueRecords, (T.Block, "gated")));
        Assert.Equal(10, Gauge(I.BlockQueueCapacity, (T.Block, "gated")));
        Assert.Equal(0, Gauge(I.BlockQueueDepth, (T.Block, "inc"), (T.BlockId, "b1")));
        Assert.Equal(50, Gauge(I.BlockRecords, (T.Block, "collection"), (T.BlockId, "b0")));
        Assert.Equal(50, Gauge(I.BlockRecords, (T.Block, "inc")));
        Assert.Equal(10, Gauge(I.BlockRecords, (T.Block, "gated")));
        Assert.Equal(3, MetricsCollector.Matching(observed, I.BlockBusyTime).Count());
        Assert.Equal(50, run.Statistics.CommitLag);

        sink.Open();
        await run.Completion;

        Assert.Equal(0, run.Statistics.CommitLag);
        observed = metrics.Observe();
        Assert.Empty(MetricsCollector.Matching(observed, I.BlockQueueDepth)); // an ended run reports its state only
        Assert.Equal(1, Gauge(I.PipelineState, (T.State, "completed")));
        GC.KeepAlive(pipeline);
    }

    [Fact]
    public async Task Latency_OneBatchWhoseWriteTakesTwoSeconds_RecordsTwoSeconds()
    {
        var name = "metrics-latency-" + Guid.NewGuid().ToString("N");
        using var metrics = new MetricsCollector(name);
        var clock = new ManualTimeProvider();
        var options = new PipelineOptions { Name = name, BatchSize = 100, TimeProvider = clock, CommitInterval = Timeout.InfiniteTimeSpan };

        await Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 100).ToArray()), options)
            .To(new ClockSink(clock, TimeSpan.FromSeconds(2)))
            .Build()
            .RunAsync();

        var latency = Assert.Single(MetricsCollector.Matching(metrics.All, I.Latency));
        Assert.Equal(2.0, latency.Value);
        Assert.Equal("s", metrics.Instruments[I.Latency].Unit);
    }

    [Fact]
    public void Meter_Instruments_HaveNamesUnitsAndDescriptions()
    {
        using var metrics = new MetricsCollector("metrics-none");
        _ = Pipeline.From(new CollectionSource<int>([1])).To(new CollectionSink<int>()).Build().Start(); // creates the meter if no test did

        var expected = typeof(DataWeaverInstruments).GetFields().Select(f => (string)f.GetValue(null)!).Order().ToList();
        Assert.Equal(22, expected.Count);
        Assert.Equal(expected, metrics.Instruments.Keys.Order());
        Assert.All(metrics.Instruments.Values, i =>
        {
            Assert.Equal(DataWeaverMeter.Version, i.Meter.Version);
            Assert.False(string.IsNullOrEmpty(i.Unit));
            Assert.False(string.IsNullOrEmpty(i.Description));
        });
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(5, timeout.Token);
        }
    }

    /// <summary>Fails its 10th, 20th, ... write call with a transient error; writes one batch at a time.</summary>
    private sealed class EveryTenthWriteFailsSink(string name) : SinkConnector<int>(name)
    {
        private readonly List<int> _records = [];
        private int _calls;

        public IReadOnlyList<int> Records => _records;

        public override ValueTask WriteAsync(ReadOnlyMemory<int> batch, CancellationToken cancellationToken = default)
        {
            if (++_calls % 10 == 0)
            {
                throw new TimeoutException("write timed out");
            }

            _records.AddRange(batch.Span);
            return default;
        }
    }

    /// <summary>A sink whose writes take <paramref name="took"/> on a manual clock.</summary>
    private sealed class ClockSink(ManualTimeProvider clock, TimeSpan took) : SinkConnector<int>("clock")
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<int> batch, CancellationToken cancellationToken = default)
        {
            clock.Advance(took);
            return default;
        }
    }
}
