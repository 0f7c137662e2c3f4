using DataWeaver.Connectors.Memory;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Pipelines;

public sealed class LifecycleTests
{
    [Fact]
    public async Task RunAsync_MapFilterMap_DeliversEveryKeptRecordInOrder()
    {
        var input = Enumerable.Range(0, 100_000).ToArray();
        var sink = new CollectionSink<long>();
        var pipeline = Pipeline.From(new CollectionSource<int>(input))
            .Map(x => (long)x * 2)
            .Filter(x => x % 3 == 0)
            .Map(x => x + 1)
            .To(sink)
            .Build();

        await pipeline.RunAsync();

        var expected = input.Select(x => (long)x * 2).Where(x => x % 3 == 0).Select(x => x + 1).ToArray();
        Assert.Equal(expected, sink.Records);
    }

    [Fact]
    public async Task StopAsync_RunningEndlessSource_DeliversEveryReadRecordExactlyOnceAndAcknowledgesAll()
    {
        var sink = new CollectionSink<long>();
        var source = new CountingSource();
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 100 })
            .Map(x => x)
            .To(sink)
            .Build()
            .Start();
        await WaitUntil(() => sink.Count >= 50_000);

        await run.StopAsync();

        var delivered = sink.Records;
        Assert.Equal(PipelineState.Stopped, run.State);
        Assert.Equal(source.Read, delivered.Count);
        Assert.Equal(Enumerable.Range(0, delivered.Count).Select(i => (long)i), delivered);
        Assert.Equal(new SourcePosition(0, delivered.Count), Assert.Single(run.AcknowledgedPositions));
        Assert.Equal(new SourcePosition(0, delivered.Count), source.Commits.Last());
        Assert.Equal(delivered.Count, run.Statistics.RecordsWritten);
        Assert.Equal(0, run.Statistics.RecordsInFlight);
        Assert.True(source.Disposed);
    }

    [Fact]
    public async Task Abort_SinkStuckOnFourthBatch_AcknowledgesOnlyDeliveredRecords()
    {
        var sink = new GatedSink<long>(freeBatches: 3);
        var source = new CountingSource();
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 100 }).To(sink).Build().Start();
        await sink.Blocked;

        run.Abort();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Completion);
        // The first three batches were written; the fourth, and everything read after it, was not.
        var delivered = sink.Records;
        Assert.Equal(PipelineState.Aborted, run.State);
        Assert.Equal(Enumerable.Range(0, delivered.Count).Select(i => (long)i), delivered);
        Assert.True(source.Read > delivered.Count, $"the source read {source.Read}, more than the {delivered.Count} delivered");
        Assert.Equal(new SourcePosition(0, delivered.Count), Assert.Single(run.AcknowledgedPositions));
        Assert.Equal(new SourcePosition(0, delivered.Count), source.Commits.Last());
    }

    [Fact]
    public async Task Start_TokenCancelled_AbortsWithoutAcknowledgingUndelivered()
    {
        using var cts = new CancellationTokenSource();
        var sink = new GatedSink<long>(freeBatches: 1);
        var run = Pipeline.From(new CountingSource(), new PipelineOptions { BatchSize = 50 }).Map(x => x).To(sink).Build().Start(cts.Token);
        await sink.Blocked;

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Completion);
        Assert.Equal(new SourcePosition(0, sink.Records.Count), Assert.Single(run.AcknowledgedPositions));
        Assert.Equal(Enumerable.Range(0, sink.Records.Count).Select(i => (long)i), sink.Records);
    }

    [Fact]
    public async Task Completion_TransformThrows_FaultsWithOriginalExceptionAndStopsSource()
    {
        var boom = new InvalidOperationException("boom at 5000");
        var sink = new CollectionSink<long>();
        var source = new CountingSource();
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 100, MaxInFlightRecords = 1000 })
            .Map(x => x == 5000 ? throw boom : x)
            .To(sink)
            .Build()
            .Start();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(() => run.Completion);

        Assert.Same(boom, thrown);
        Assert.Same(boom, Assert.Single(run.Completion.Exception!.InnerExceptions));
        Assert.Equal("map1", boom.Data["DataWeaver.Stage"]);
        Assert.Equal(PipelineState.Failed, run.State);
        Assert.True(source.Disposed);
        Assert.InRange(source.Read, 5001, 5000 + 1000 + 100);
        Assert.All(sink.Records, r => Assert.True(r < 5000));
        Assert.True(run.AcknowledgedPositions.Single().Offset <= 5000);
    }

    [Fact]
    public async Task Completion_SinkThrows_FaultsWithOriginalExceptionNamingSink()
    {
        var boom = new IOException("disk full");
        var sink = new ThrowingSink(boom);
        var run = Pipeline.From(new CountingSource(count: 10_000)).To(sink).Build().Start();

        var thrown = await Assert.ThrowsAsync<IOException>(() => run.Completion);

        Assert.Same(boom, thrown);
        Assert.Equal("throwing", boom.Data["DataWeaver.Stage"]);
        Assert.Empty(run.AcknowledgedPositions);
    }

    [Fact]
    public async Task Completion_SinkThrowsTaskCanceled_IsFaultedNotCancelled()
    {
        var timeout = new TaskCanceledException("HTTP request timed out");
        var run = Pipeline.From(new CountingSource(count: 10)).To(new ThrowingSink(timeout)).Build().Start();

        var thrown = await Assert.ThrowsAsync<TaskCanceledException>(() => run.Completion);

        Assert.Same(timeout, thrown);
        Assert.True(run.Completion.IsFaulted);
        Assert.Equal(PipelineState.Failed, run.State);
    }

    [Fact]
    public async Task Acknowledge_Twice_ThrowsAndAcknowledgesOnce()
    {
        var sink = new DoubleAckSink();
        var source = new CountingSource(count: 100);
        var run = Pipeline.From(source).To(sink).Build().Start();

        await Assert.ThrowsAsync<InvalidOperationException>(() => run.Completion);

        Assert.Equal("A sink batch was acknowledged more than once.", sink.SecondError?.Message);
    }

    [Fact]
    public async Task Start_WhileRunning_Throws()
    {
        var sink = new GatedSink<long>();
        var pipeline = Pipeline.From(new CountingSource()).To(sink).Build();
        var run = pipeline.Start();
        await sink.Blocked;

        Assert.Throws<InvalidOperationException>(() => pipeline.Start());

        run.Abort();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Completion);
    }

    [Fact]
    public async Task StopAsync_DrainTimesOut_Aborts()
    {
        var sink = new GatedSink<long>(freeBatches: 0);
        var run = Pipeline.From(new CountingSource()).To(sink).Build().Start();
        await sink.Blocked;
        using var timeout = new CancellationTokenSource();
        await timeout.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.StopAsync(timeout.Token));

        Assert.Equal(PipelineState.Aborted, run.State);
        Assert.Empty(run.AcknowledgedPositions);
    }

    internal static async Task WaitUntil(Func<bool> condition)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!condition())
        {
            await Task.Delay(1, timeout.Token);
        }
    }

    private sealed class DoubleAckSink() : DataWeaver.Connectors.SinkConnector<long>("double")
    {
        public Exception? SecondError { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default) => default;

        public override ValueTask WriteBatchAsync(ReadOnlyMemory<long> batch, DataWeaver.Connectors.SinkAcknowledgement acknowledgement, CancellationToken cancellationToken = default)
        {
            acknowledgement.Acknowledge();
            try
            {
                acknowledgement.Acknowledge();
            }
            catch (InvalidOperationException e)
            {
                SecondError = e;
                throw;
            }

            return default;
        }
    }

    private sealed class ThrowingSink(Exception exception) : DataWeaver.Connectors.SinkConnector<long>("throwing")
    {
        public override ValueTask WriteAsync(ReadOnlyMemory<long> batch, CancellationToken cancellationToken = default) =>
            ValueTask.FromException(exception);
    }
}
