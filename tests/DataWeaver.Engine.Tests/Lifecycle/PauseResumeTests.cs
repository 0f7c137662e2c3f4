using System.Runtime.CompilerServices;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Memory;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Lifecycle;

public sealed class PauseResumeTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task PauseAsync_EndlessSource_StopsReadingCommitsEverythingReadAndResumeLosesAndRepeatsNothing()
    {
        var source = new CountingSource();
        var sink = new CollectionSink<long>();

        // The periodic commit (5 s) would not come during the test: the pause itself commits what was delivered.
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 256, MaxInFlightRecords = 4096 }).To(sink).Build().Start();
        await WaitUntilAsync(() => sink.Count > 5_000, run);

        await run.PauseAsync().WaitAsync(Guard);

        Assert.Equal(PipelineState.Paused, run.State);
        var paused = run.Statistics;
        Assert.Equal(paused.RecordsRead, sink.Count);                    // every record read was delivered
        Assert.Equal(0, paused.RecordsInFlight);
        Assert.Equal(0, paused.CommitLag);
        Assert.Equal(paused.RecordsRead, source.Commits.Last().Offset);  // and its position committed

        await Task.Delay(200);                                           // a while paused: nothing enters the pipeline
        Assert.Equal(paused.RecordsRead, run.Statistics.RecordsRead);
        Assert.Equal(paused.RecordsRead, sink.Count);
        Assert.Equal(paused.RecordsRead, source.Commits.Last().Offset);
        Assert.InRange(source.Read - paused.RecordsRead, 0, 256);        // at most the one fill in progress, held back

        run.Resume();
        Assert.Equal(PipelineState.Running, run.State);
        await WaitUntilAsync(() => sink.Count > paused.RecordsRead + 5_000, run);
        await run.StopAsync().WaitAsync(Guard);

        Assert.Equal(PipelineState.Stopped, run.State);
        var records = sink.Records;
        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records); // 0 lost, 0 duplicated, in order
        Assert.Equal(run.Statistics.RecordsRead, records.Count);
        Assert.Equal(records.Count, source.Commits.Last().Offset);
    }

    [Fact]
    public async Task PauseAsync_RepeatedWithParallelStage_EveryRecordOnceAndNothingReadWhilePaused()
    {
        var source = new CountingSource();
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 64, MaxInFlightRecords = 1024, CommitInterval = TimeSpan.Zero })
            .Parallel(4, StageOrdering.Unordered).Map(x => x * 2)
            .To(sink)
            .Build()
            .Start();

        for (var cycle = 0; cycle < 5; cycle++)
        {
            var before = sink.Count;
            await WaitUntilAsync(() => sink.Count > before + 1_000, run);
            await run.PauseAsync().WaitAsync(Guard);
            var read = run.Statistics.RecordsRead;
            Assert.Equal(PipelineState.Paused, run.State);
            Assert.Equal(read, sink.Count);
            Assert.Equal(read, source.Commits.Last().Offset);
            await Task.Yield();
            Assert.Equal(read, run.Statistics.RecordsRead);
            run.Resume();
        }

        await run.StopAsync().WaitAsync(Guard);

        var records = sink.Records;
        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => i * 2L), records.Order());
        Assert.Equal(records.Count, source.Commits.Last().Offset);
    }

    [Fact]
    public async Task PauseAsync_SourceWaitingForData_PausesAndResumeDeliversWhatArrivedDuringThePause()
    {
        var source = new FeedSource();
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero }).To(sink).Build().Start();
        source.Feed(0, 100);
        await WaitUntilAsync(() => sink.Count == 100, run);

        await run.PauseAsync().WaitAsync(Guard);                         // the source is blocked waiting for data
        source.Feed(100, 50);                                            // arrives while paused
        await Task.Delay(100);
        Assert.Equal(PipelineState.Paused, run.State);
        Assert.Equal(100, run.Statistics.RecordsRead);                   // held back: not in the pipeline
        Assert.Equal(100, sink.Count);

        run.Resume();
        await WaitUntilAsync(() => sink.Count == 150, run);
        source.End();
        await run.Completion.WaitAsync(Guard);

        Assert.Equal(PipelineState.Completed, run.State);
        Assert.Equal(Enumerable.Range(0, 150).Select(i => (long)i), sink.Records);
    }

    [Fact]
    public async Task StopAsync_WhilePaused_DrainsToStoppedWithEveryRecordReadDelivered()
    {
        var source = new CountingSource();
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 128 }).To(sink).Build().Start();
        await WaitUntilAsync(() => sink.Count > 1_000, run);
        await run.PauseAsync().WaitAsync(Guard);

        await run.StopAsync().WaitAsync(Guard);

        Assert.Equal(PipelineState.Stopped, run.State);
        var records = sink.Records;
        Assert.Equal(Enumerable.Range(0, records.Count).Select(i => (long)i), records);
        Assert.Equal(run.Statistics.RecordsRead, records.Count);
        Assert.Equal(records.Count, source.Commits.Last().Offset);
    }

    [Fact]
    public async Task Abort_WhilePaused_EndsAborted()
    {
        var run = Pipeline.From(new CountingSource()).To(new CollectionSink<long>()).Build().Start();
        await run.PauseAsync().WaitAsync(Guard);

        run.Abort();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Completion.WaitAsync(Guard));
        Assert.Equal(PipelineState.Aborted, run.State);
    }

    [Fact]
    public async Task Resume_WhilePausing_ReturnsToRunningAndPauseTaskEnds()
    {
        var sink = new GatedSink<long>();                                // holds the first batch: the pause cannot settle
        var run = Pipeline.From(new CountingSource()).To(sink).Build().Start();
        await sink.Blocked.WaitAsync(Guard);

        var pausing = run.PauseAsync();
        Assert.Equal(PipelineState.Pausing, run.State);
        run.Resume();

        await pausing.WaitAsync(Guard);
        Assert.Equal(PipelineState.Running, run.State);
        run.Abort();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run.Completion.WaitAsync(Guard));
    }

    private static async Task WaitUntilAsync(Func<bool> condition, PipelineRun run)
    {
        using var guard = new CancellationTokenSource(Guard);
        while (!condition())
        {
            Assert.False(run.Completion.IsFaulted, run.Completion.Exception?.ToString());
            await Task.Delay(5, guard.Token);
        }
    }

    /// <summary>A source fed by the test: waits for records that are not there yet, as a stream does.</summary>
    private sealed class FeedSource() : SourceConnector<long>("feed")
    {
        private readonly System.Threading.Channels.Channel<long> _channel = System.Threading.Channels.Channel.CreateUnbounded<long>();

        public void Feed(long from, int count)
        {
            for (var i = 0; i < count; i++)
            {
                _channel.Writer.TryWrite(from + i);
            }
        }

        public void End() => _channel.Writer.TryComplete();

        public override async IAsyncEnumerable<long> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
        {
            await foreach (var item in _channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
    }
}
