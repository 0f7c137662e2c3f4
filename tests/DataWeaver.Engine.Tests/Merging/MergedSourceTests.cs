using System.Text.Json;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Merging;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tests.Pipelines;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Merging;

public sealed class MergedSourceTests
{
    [Fact]
    public async Task Merge_TwoSources_EveryRecordOnceAndEachSourceCommitsItsOwnPositions()
    {
        var a = new CountingSource(count: 30_000);
        var b = new CountingSource(count: 20_000);
        var sink = new CollectionSink<long>();
        var run = Pipeline.Merge([a, b], new PipelineOptions { BatchSize = 128 })
            .To(sink)
            .Build()
            .Start();
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(2));

        // Both sources count from 0: each value appears once per source that has it.
        var counts = sink.Records.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(30_000, counts.Count);
        Assert.All(counts, p => Assert.Equal(p.Key < 20_000 ? 2 : 1, p.Value));

        // Each source is told of its own partition 0, never of the merged numbering.
        Assert.Equal(new SourcePosition(0, 30_000), a.Commits.Last());
        Assert.Equal(new SourcePosition(0, 20_000), b.Commits.Last());
        Assert.All(a.Acknowledged.Concat(b.Acknowledged), p => Assert.Equal(0, p.Partition));
        Assert.Equal(
            [new SourcePosition(0, 30_000), new SourcePosition(MergedSource<long>.PartitionStride, 20_000)],
            run.AcknowledgedPositions.OrderBy(p => p.Partition));
    }

    [Fact]
    public async Task Merge_OneSourceEndsEarly_TheOtherIsReadToTheEnd()
    {
        var sink = new CollectionSink<long>();
        await Pipeline.Merge([new CountingSource(count: 1), new CountingSource(count: 10_000), new CountingSource(count: 0)])
            .To(sink)
            .Build()
            .RunAsync();

        Assert.Equal(10_001, sink.Records.Count);
    }

    [Fact]
    public void Merge_NoSourcesOrTheSameSourceTwice_Refused()
    {
        var a = new CountingSource(count: 1);
        Assert.Throws<ArgumentOutOfRangeException>(() => Pipeline.Merge(Array.Empty<SourceConnector<long>>()));
        Assert.Throws<ArgumentException>(() => Pipeline.Merge([a, a]));
    }

    [Theory]
    [InlineData(false)] // a stop (drain)
    [InlineData(true)]  // an abort, as a crash: only what was committed before counts
    public async Task Merge_TwoCheckpointedFileSources_StopMidRunThenRestart_LosesNoRecord(bool abort)
    {
        const int PerFile = 5_000;
        var dir = Directory.CreateTempSubdirectory("dw-merge-");
        try
        {
            var store = new InMemoryCheckpointStore();
            var paths = new[] { Path.Combine(dir.FullName, "a.jsonl"), Path.Combine(dir.FullName, "b.jsonl") };
            foreach (var (path, name) in paths.Zip(new[] { "a", "b" }))
            {
                await File.WriteAllTextAsync(path, string.Concat(Enumerable.Range(0, PerFile).Select(n => JsonSerializer.Serialize(new Line(name, n)) + "\n")));
            }

            // Run 1 follows both files with a sink that lets a limited number of batches through, then is stopped or aborted.
            var gate = new SemaphoreSlim(0);
            var sink1 = new GatedSink(gate);
            var run1 = Build(paths, store, follow: true, sink1).Start();
            // Batch by batch until both sources were written from (a source that opens slower starts later).
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(1));
            while (sink1.Batches < 30 || sink1.Lines.Select(l => l.Source).Distinct().Count() < 2)
            {
                var before = sink1.Batches;
                gate.Release();
                await LifecycleTests.WaitUntil(() => sink1.Batches > before).WaitAsync(timeout.Token);
            }

            if (abort)
            {
                run1.Abort();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run1.Completion.WaitAsync(TimeSpan.FromMinutes(1)));
            }
            else
            {
                gate.Release(1_000_000); // a drain writes what is in flight
                await run1.StopAsync().WaitAsync(TimeSpan.FromMinutes(1));
            }

            Assert.InRange(store.Keys.Count, abort ? 1 : 2, 2); // a checkpoint per source (an abort may come before one of them committed)
            Assert.InRange(sink1.Lines.Count, 1, (2 * PerFile) - 1);

            // Run 2 resumes each source from its own checkpoint and reads to the end.
            var sink2 = new GatedSink(null);
            await Build(paths, store, follow: false, sink2).RunAsync().WaitAsync(TimeSpan.FromMinutes(2));

            var all = sink1.Lines.Concat(sink2.Lines).ToList();
            foreach (var name in new[] { "a", "b" })
            {
                var seen = all.Where(l => l.Source == name).Select(l => l.N).ToHashSet();
                Assert.Equal(PerFile, seen.Count); // records lost: 0
            }

            // Only records after a source's checkpoint were read again.
            Assert.True(all.Count - (2 * PerFile) <= sink1.Lines.Count, $"{all.Count - (2 * PerFile)} duplicates");
        }
        finally
        {
            dir.Delete(recursive: true);
        }

        static Pipeline Build(string[] paths, InMemoryCheckpointStore store, bool follow, GatedSink sink) =>
            Pipeline.Merge(
                    paths.Select(p => new JsonLinesSource(p, new JsonLinesSourceOptions { CheckpointStore = store, Follow = follow, PollInterval = TimeSpan.FromMilliseconds(20) })),
                    new PipelineOptions { BatchSize = 50, CommitInterval = TimeSpan.Zero, MaxInFlightRecords = 500 })
                .Map(r => JsonSerializer.Deserialize<Line>(r.Value.Span))
                .To(sink)
                .Build();
    }

    private readonly record struct Line(string Source, int N);

    /// <summary>Writes a batch only when the gate lets it (no gate: at once).</summary>
    private sealed class GatedSink(SemaphoreSlim? gate) : SinkConnector<Line>("gated")
    {
        private readonly List<Line> _lines = [];
        private int _batches;

        public int Batches => Volatile.Read(ref _batches);

        public List<Line> Lines
        {
            get
            {
                lock (_lines)
                {
                    return [.. _lines];
                }
            }
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<Line> batch, CancellationToken cancellationToken = default)
        {
            if (gate is not null)
            {
                await gate.WaitAsync(cancellationToken);
            }

            lock (_lines)
            {
                _lines.AddRange(batch.Span);
            }

            Interlocked.Increment(ref _batches);
        }
    }
}
