using DataWeaver.Connectors.Generator;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Checkpoints;

/// <summary>PipelineOptions.CommitInterval: Zero commits continuously, InfiniteTimeSpan only when the run ends.</summary>
public sealed class ContinuousCommitTests
{
    private static readonly TimeSpan Guard = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task CommitInterval_Zero_CommitsWhileRunningWithoutTheClockMoving()
    {
        var clock = new ManualTimeProvider();                      // never advanced: no interval can pass
        var source = new CommitRecordingSource();
        var sink = new GatedSink<long>(freeBatches: 3);
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero, BatchSize = 100, TimeProvider = clock })
            .To(sink)
            .Build()
            .Start();

        await sink.Blocked.WaitAsync(Guard);
        var deadline = DateTime.UtcNow + Guard;
        while (source.LastCommitted < 300 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(1);
        }

        Assert.Equal(PipelineState.Running, run.State);
        Assert.Equal(300, run.AcknowledgedPositions[0].Offset);    // three batches written, the fourth held at the gate
        Assert.Equal(300, source.LastCommitted);                   // everything acknowledged, committed while running
        Assert.False(source.Overlapped);
        sink.Open();
        await run.StopAsync().WaitAsync(Guard);
    }

    [Fact]
    public async Task CommitInterval_Infinite_CommitsOnlyWhenTheRunEnds()
    {
        var source = new CommitRecordingSource();
        var sink = new GatedSink<long>(freeBatches: 3);
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = Timeout.InfiniteTimeSpan, BatchSize = 100 })
            .To(sink)
            .Build()
            .Start();

        await sink.Blocked.WaitAsync(Guard);
        await Task.Delay(100);
        Assert.Equal(0, source.Commits);
        Assert.Equal(300, run.AcknowledgedPositions[0].Offset);

        sink.Open();
        await run.StopAsync().WaitAsync(Guard);
        Assert.Equal(1, source.Commits);
        Assert.Equal(run.AcknowledgedPositions[0].Offset, source.LastCommitted);
    }

    [Fact]
    public async Task CommitInterval_Zero_SlowCommitsAreCoalescedNeverConcurrent()
    {
        var source = new CommitRecordingSource(commitDelay: TimeSpan.FromMilliseconds(20), count: 50_000);
        var sink = new CollectionSink<long>();
        await Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero, BatchSize = 64, MaxInFlightRecords = 256 })
            .To(sink)
            .Build()
            .RunAsync()
            .WaitAsync(Guard);

        Assert.False(source.Overlapped);
        Assert.Equal(50_000, source.LastCommitted);
        Assert.InRange(source.Commits, 2, 50_000 / 64);            // coalesced: far fewer commits than batches
    }

    [Fact]
    public async Task CommitInterval_Zero_FailingCommitFailsTheRun()
    {
        var source = new CommitRecordingSource(failCommits: true);
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero, BatchSize = 10 })
            .To(new CollectionSink<long>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<IOException>(() => run.Completion.WaitAsync(Guard));
        Assert.Equal("checkpoint disk gone", error.Message);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(-5000)]
    public void Build_NegativeCommitInterval_IsRejectedButInfiniteIsNot(int milliseconds)
    {
        var error = Assert.Throws<PipelineConfigurationException>(() =>
            Pipeline.From(new CollectionSource<int>([1]), new PipelineOptions { CommitInterval = TimeSpan.FromMilliseconds(milliseconds - 1) })
                .To(new CollectionSink<int>())
                .Build());
        Assert.Contains("CommitInterval", error.Message, StringComparison.Ordinal);

        Pipeline.From(new CollectionSource<int>([1]), new PipelineOptions { CommitInterval = Timeout.InfiniteTimeSpan })
            .To(new CollectionSink<int>())
            .Build();
    }

    /// <summary>A generator that records its commits and whether two ever overlapped.</summary>
    private sealed class CommitRecordingSource(TimeSpan commitDelay = default, long count = 1000, bool failCommits = false)
        : DataWeaver.Connectors.SourceConnector<long>("commit-recorder")
    {
        private readonly GeneratorSource<long> _inner = new(n => n, new GeneratorOptions { Count = count });
        private int _committing;
        private long _lastCommitted;
        private int _commits;

        public long LastCommitted => Interlocked.Read(ref _lastCommitted);

        public int Commits => Volatile.Read(ref _commits);

        public bool Overlapped { get; private set; }

        public override IAsyncEnumerable<long> ReadAsync(CancellationToken cancellationToken = default) => _inner.ReadAsync(cancellationToken);

        public override async ValueTask CommitAsync(IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default)
        {
            if (failCommits)
            {
                throw new IOException("checkpoint disk gone");
            }

            if (Interlocked.Exchange(ref _committing, 1) == 1)
            {
                Overlapped = true;
            }

            if (commitDelay > TimeSpan.Zero)
            {
                await Task.Delay(commitDelay, CancellationToken.None);
            }

            Interlocked.Exchange(ref _lastCommitted, positions[0].Offset);
            Interlocked.Increment(ref _commits);
            Volatile.Write(ref _committing, 0);
        }
    }
}
