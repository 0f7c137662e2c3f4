using System.Text;
using System.Text.Json;
using DataWeaver.Checkpoints;
using DataWeaver.Connectors.Files;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tests.Pipelines;
using DataWeaver.Windowing;

namespace DataWeaver.Tests.Stateful;

/// <summary>Window state checkpointed with the source's positions (<see cref="WindowOptions.CheckpointState"/>).</summary>
public sealed class WindowStateCheckpointTests
{
    private static readonly WindowOptions s_options = new()
    {
        Size = TimeSpan.FromMinutes(1),
        MaxOutOfOrderness = TimeSpan.FromSeconds(10),
        CheckpointState = true,
        SnapshotInterval = TimeSpan.Zero,
    };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task WindowByEventTime_CheckpointStateStoppedMidWindowThenRestarted_EveryResultEqualsTheReference(bool abort)
    {
        var dir = Directory.CreateTempSubdirectory("dw-window-state-");
        try
        {
            var path = Path.Combine(dir.FullName, "in.jsonl");
            var store = new InMemoryCheckpointStore();
            var first = FirstPart();
            await File.WriteAllTextAsync(path, Lines(first));
            var firstB = Encoding.UTF8.GetByteCount(Lines(first[..50]));

            // Run 1 follows the file and is stopped (or aborted) with window B open.
            var sink1 = new CollectionSink<WindowResult<string>>();
            var source1 = new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = store, Follow = true, PollInterval = TimeSpan.FromMilliseconds(20) });
            var run1 = Build(source1, sink1).Start();
            await LifecycleTests.WaitUntil(() => run1.Statistics.RecordsRead == first.Count && sink1.Records.Count == 2 && source1.CommittedOffset > firstB);
            if (abort)
            {
                run1.Abort();
                await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run1.Completion);
            }
            else
            {
                await run1.StopAsync();
                Assert.Equal(new FileInfo(path).Length, source1.CommittedOffset); // B's records are in the saved state
            }

            // The commit passed B's first record: B's state went with it (without CheckpointState it stops there).
            Assert.True(source1.CommittedOffset > firstB, $"committed {source1.CommittedOffset}, B starts at {firstB}");

            var second = SecondPart();
            await File.AppendAllTextAsync(path, Lines(second));
            var sink2 = new CollectionSink<WindowResult<string>>();
            await Build(new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = store }), sink2).RunAsync();

            // Every result, first or repeated, equals the reference: no partial re-emission, so the last one wins too.
            AssertEveryResultExact([.. first, .. second], [.. sink1.Records, .. sink2.Records]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WindowByEventTime_CrashBetweenStateSaveAndSourceCommit_RestoresTheStateTheSourceResumedFrom()
    {
        var dir = Directory.CreateTempSubdirectory("dw-window-state-");
        try
        {
            var path = Path.Combine(dir.FullName, "in.jsonl");
            var first = FirstPart();
            await File.WriteAllTextAsync(path, Lines(first));
            var inner = new InMemoryCheckpointStore();

            // Run 1 commits (state and positions), then its source's commits start failing after the state was saved:
            // a crash between the two writes.
            var failing = new FailingSaves(inner);
            var sink1 = new CollectionSink<WindowResult<string>>();
            var source1 = new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = failing, Follow = true, PollInterval = TimeSpan.FromMilliseconds(20) });
            var run1 = Build(source1, sink1).Start();
            await LifecycleTests.WaitUntil(() => run1.Statistics.RecordsRead == first.Count && sink1.Records.Count == 2 && inner.SaveCount > 0);
            failing.Fail = true;
            var second = SecondPart();
            await File.AppendAllTextAsync(path, Lines(second));
            await Assert.ThrowsAsync<CheckpointException>(() => run1.Completion);
            Assert.True(failing.StateSavesAfterFailing > 0, "a state was saved for the commit that failed");
            var saved = await inner.LoadAsync(source1.CheckpointKey);
            Assert.True(saved![0].Offset < new FileInfo(path).Length, "the failed commit claimed nothing");

            // Run 2 resumes from the last commit; the state file's newest slot was never committed: the older is restored.
            List<Reading> all = [.. first, .. second];
            var sink2 = new CollectionSink<WindowResult<string>>();
            await Build(new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = inner }), sink2).RunAsync();
            AssertEveryResultExact(all, [.. sink1.Records, .. sink2.Records]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task WindowByEventTime_CorruptState_FailsWithCheckpointException()
    {
        var dir = Directory.CreateTempSubdirectory("dw-window-state-");
        try
        {
            var path = Path.Combine(dir.FullName, "in.jsonl");
            await File.WriteAllTextAsync(path, Lines(FirstPart()));
            var store = new FileCheckpointStore(Path.Combine(dir.FullName, "cp"));
            var source1 = new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = store, Follow = true, PollInterval = TimeSpan.FromMilliseconds(20) });
            var run1 = Build(source1, new CollectionSink<WindowResult<string>>()).Start();
            await LifecycleTests.WaitUntil(() => source1.CommittedOffset > 0);
            await run1.StopAsync();

            var state = Directory.GetFiles(Path.Combine(dir.FullName, "cp"), "*.state").Single();
            var bytes = await File.ReadAllBytesAsync(state);
            await File.WriteAllBytesAsync(state, bytes[..^3]); // torn: three bytes short
            await File.AppendAllTextAsync(path, Lines(SecondPart()));

            var run2 = Build(new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = store }), new CollectionSink<WindowResult<string>>());
            var error = await Assert.ThrowsAsync<CheckpointException>(() => run2.RunAsync());
            Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    [Fact]
    public void Build_CheckpointStateWithSessionWindowsOrAUserAggregator_ListsBothErrors()
    {
        var session = Assert.ThrowsAny<Exception>(() => Pipeline.From(new CollectionSource<Reading>([]))
            .WindowByEventTime(r => r.Time, r => r.Key, r => r.Value, s_options with { Kind = WindowKind.Session })
            .To(new CollectionSink<WindowResult<string>>()).Build());
        Assert.Contains("not available for session windows", session.Message, StringComparison.Ordinal);

        var user = Assert.ThrowsAny<Exception>(() => Pipeline.From(new CollectionSource<Reading>([]))
            .WindowByEventTime<Reading, string, long, long>(r => r.Time, r => r.Key, new CountOf(), s_options)
            .To(new CollectionSink<WindowOutput<string, long>>()).Build());
        Assert.Contains("needs the built-in aggregates", user.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WindowByEventTime_CheckpointStateWithSketchesAndAUserCodec_RestartedResultsEqualAnUninterruptedRun()
    {
        var options = s_options with { ApproximateDistinctPrecision = 12 };
        var (sketches, uninterrupted) = await StopAndRestartAsync<WindowResult<string>>((source, checkpoint, sink) =>
            Pipeline.From(source, new PipelineOptions { BatchSize = 1, CommitInterval = TimeSpan.Zero })
                .Map(r => JsonSerializer.Deserialize<Reading>(r.Value.Span))
                .WindowByEventTime(r => r.Time, r => r.Key, r => r.Value, options with { CheckpointState = checkpoint })
                .To(sink)
                .Build());
        Assert.Equal(
            uninterrupted.Select(r => (r.Key, r.Start, r.Count, r.ApproximateDistinctCount)).Order(),
            sketches.Select(r => (r.Key, r.Start, r.Count, r.ApproximateDistinctCount)).Order());
        Assert.Contains(sketches, r => r.ApproximateDistinctCount > 10); // distinct values per record: a sketch restored empty would show

        var (sums, reference) = await StopAndRestartAsync<WindowOutput<string, double>>((source, checkpoint, sink) =>
            Pipeline.From(source, new PipelineOptions { BatchSize = 1, CommitInterval = TimeSpan.Zero })
                .Map(r => JsonSerializer.Deserialize<Reading>(r.Value.Span))
                .WindowByEventTime(r => r.Time, r => r.Key, new SumWithCodec(), s_options with { CheckpointState = checkpoint })
                .To(sink)
                .Build());
        Assert.Equal(reference.Select(r => (r.Key, r.Start, r.Value)).Order(), sums.Select(r => (r.Key, r.Start, r.Value)).Order());
    }

    [Fact]
    public async Task LoadAsync_StateFileOfVersion1_ReadsItsAccumulatorsWithoutSketches()
    {
        // A version-1 file as engines before sketches were saved wrote it: one slot, one window, key "x" with a count of 3.
        var payload = new System.Buffers.ArrayBufferWriter<byte>();
        var p = new DataWeaver.Windowing.Internal.StateWriter(payload);
        p.WriteInt64(1_000);                 // watermark
        p.WriteInt64(3);                     // sequence
        p.WriteInt32(1);                     // windows
        p.WriteInt64(0);                     // start
        p.WriteByte(0);                      // not fired
        p.WriteInt32(1);                     // keys
        p.WriteString("x");
        p.WriteInt64(3);                     // count
        foreach (var d in new[] { 6.0, 1.0, 3.0 })
        {
            p.WriteDouble(d);                // sum, min, max
        }

        p.WriteInt64(1);
        p.WriteInt64(0);
        p.WriteDouble(1);                    // first: ticks, sequence, value
        p.WriteInt64(3);
        p.WriteInt64(2);
        p.WriteDouble(3);                    // last
        p.WriteInt32(-1);                    // no distinct set
        p.WriteInt32(-1);                    // no values
        var file = new System.Buffers.ArrayBufferWriter<byte>();
        var f = new DataWeaver.Windowing.Internal.StateWriter(file);
        f.WriteBytes("DWWS"u8);
        f.WriteByte(1);                      // version 1
        f.WriteByte(1);                      // one slot
        f.WriteInt32(1);
        f.WriteInt32(0);
        f.WriteInt64(50);                    // partition 0, offset 50
        f.WriteInt32(payload.WrittenCount);
        f.WriteBytes(payload.WrittenSpan);
        var store = new InMemoryCheckpointStore();
        await store.SaveStateAsync("src.state.stage", file.WrittenMemory);

        var snapshot = await new DataWeaver.Windowing.Internal.WindowStateCheckpoint(store, "src", "stage").LoadAsync(_ => 60, CancellationToken.None);

        Assert.NotNull(snapshot);
        Assert.Equal(1, snapshot.Layout);
        var reader = new DataWeaver.Windowing.Internal.StateReader(snapshot.Payload);
        reader.ReadBytes(8 + 8 + 4 + 8 + 1 + 4);
        var codec = DataWeaver.Windowing.Internal.WindowStateCodec<string, DataWeaver.Windowing.Internal.StandardAccumulator>.For(null)!;
        Assert.Equal("x", DataWeaver.Windowing.Internal.WindowStateCodec<string, DataWeaver.Windowing.Internal.StandardAccumulator>.ReadKey(ref reader));
        var accumulator = codec.ReadAccumulator(ref reader, snapshot.Layout);
        Assert.True(reader.AtEnd);
        Assert.Equal((3L, 6.0, 1.0, 3.0, 1.0, 3.0), (accumulator.Count, accumulator.Sum, accumulator.Min, accumulator.Max, accumulator.First, accumulator.Last));
        Assert.Null(accumulator.Sketch);
    }

    /// <summary>
    /// Runs <see cref="FirstPart"/> (values that differ per record) with the state checkpointed, stops it with window B
    /// open, appends <see cref="SecondPart"/> and runs to the end; then the whole file in one run without state.
    /// </summary>
    private static async Task<(List<TOut> Restarted, List<TOut> Uninterrupted)> StopAndRestartAsync<TOut>(Func<JsonLinesSource, bool, CollectionSink<TOut>, Pipeline> build)
    {
        var dir = Directory.CreateTempSubdirectory("dw-window-state-");
        try
        {
            var first = FirstPart().Select(r => r with { Value = r.Seconds * 7 }).ToList();
            var path = Path.Combine(dir.FullName, "in.jsonl");
            var store = new InMemoryCheckpointStore();
            await File.WriteAllTextAsync(path, Lines(first));
            var sink1 = new CollectionSink<TOut>();
            var source1 = new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = store, Follow = true, PollInterval = TimeSpan.FromMilliseconds(20) });
            var run1 = build(source1, true, sink1).Start();
            await LifecycleTests.WaitUntil(() => run1.Statistics.RecordsRead == first.Count && sink1.Records.Count == 2);
            await run1.StopAsync();
            Assert.Equal(new FileInfo(path).Length, source1.CommittedOffset); // B's records are in the saved state

            await File.AppendAllTextAsync(path, Lines(SecondPart().Select(r => r with { Value = r.Seconds * 7 })));
            var sink2 = new CollectionSink<TOut>();
            await build(new JsonLinesSource(path, new JsonLinesSourceOptions { CheckpointStore = store }), true, sink2).RunAsync();

            var all = new CollectionSink<TOut>();
            await build(new JsonLinesSource(path, new JsonLinesSourceOptions()), false, all).RunAsync();
            return ([.. sink1.Records, .. sink2.Records], [.. all.Records]);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    private static Pipeline Build(JsonLinesSource source, CollectionSink<WindowResult<string>> sink) =>
        Pipeline.From(source, new PipelineOptions { BatchSize = 1, CommitInterval = TimeSpan.Zero })
            .Map(r => JsonSerializer.Deserialize<Reading>(r.Value.Span))
            .WindowByEventTime(r => r.Time, r => r.Key, r => r.Value, s_options)
            .To(sink)
            .Build();

    // Window A [0, 60) and, after two records of B [60, 120), a straggler of A within the disorder bound; B stays open.
    private static List<Reading> FirstPart()
    {
        List<Reading> first = [.. Enumerable.Range(0, 50).Select(s => new Reading(s % 2 == 0 ? "x" : "y", s, 1))];
        first.AddRange([new("x", 60, 1), new("y", 61, 1), new("x", 55, 1)]);
        first.AddRange(Enumerable.Range(62, 14).Select(s => new Reading("y", s, 1)));
        return first;
    }

    private static List<Reading> SecondPart() =>
        [.. Enumerable.Range(76, 4).Select(s => new Reading("x", s, 1)), .. Enumerable.Range(120, 6).Select(s => new Reading("y", s, 1))];

    private static void AssertEveryResultExact(List<Reading> all, List<WindowResult<string>> results)
    {
        var reference = all.GroupBy(r => (r.Key, Start: r.Seconds / 60 * 60)).ToDictionary(g => g.Key, g => (long)g.Count());
        var byWindow = results.GroupBy(r => (r.Key, Start: (long)(r.Start - Reading.Epoch).TotalSeconds)).ToDictionary(g => g.Key, g => g.Select(r => r.Count).ToList());
        Assert.Equal(reference.Keys.Order(), byWindow.Keys.Order());
        foreach (var (window, counts) in byWindow)
        {
            Assert.All(counts, count => Assert.Equal(reference[window], count));
        }
    }

    private static string Lines(IEnumerable<Reading> readings) => string.Concat(readings.Select(r => JsonSerializer.Serialize(r) + "\n"));

    /// <summary>A store whose position saves fail once <see cref="Fail"/> is set (state saves go through): a crash between the two.</summary>
    private sealed class FailingSaves(InMemoryCheckpointStore inner) : ICheckpointStore
    {
        public volatile bool Fail;
        private int _stateSavesAfterFailing;

        public int StateSavesAfterFailing => Volatile.Read(ref _stateSavesAfterFailing);

        public ValueTask<IReadOnlyList<SourcePosition>?> LoadAsync(string key, CancellationToken cancellationToken = default) => inner.LoadAsync(key, cancellationToken);

        public ValueTask SaveAsync(string key, IReadOnlyList<SourcePosition> positions, CancellationToken cancellationToken = default) =>
            Fail ? throw new CheckpointException(key, "the disk is gone") : inner.SaveAsync(key, positions, cancellationToken);

        public ValueTask<byte[]?> LoadStateAsync(string key, CancellationToken cancellationToken = default) => inner.LoadStateAsync(key, cancellationToken);

        public ValueTask SaveStateAsync(string key, ReadOnlyMemory<byte> state, CancellationToken cancellationToken = default)
        {
            if (Fail)
            {
                Interlocked.Increment(ref _stateSavesAfterFailing);
            }

            return inner.SaveStateAsync(key, state, cancellationToken);
        }
    }

    /// <summary>A sum that writes its accumulator (8 bytes), so its state can be checkpointed.</summary>
    private sealed class SumWithCodec : IWindowAggregator<Reading, double, double>, IWindowAccumulatorCodec<double>
    {
        public bool SizeVaries => false;

        public double Create() => 0;

        public void Add(ref double accumulator, Reading record, WindowElement element) => accumulator += record.Value;

        public void Merge(ref double into, ref double other) => into += other;

        public double Result(ref double accumulator) => accumulator;

        public long EstimateBytes(ref double accumulator) => 0;

        public void Write(ref double accumulator, System.Buffers.IBufferWriter<byte> output)
        {
            System.Buffers.Binary.BinaryPrimitives.WriteDoubleLittleEndian(output.GetSpan(8), accumulator);
            output.Advance(8);
        }

        public double Read(ReadOnlySpan<byte> bytes) => System.Buffers.Binary.BinaryPrimitives.ReadDoubleLittleEndian(bytes);
    }

    private sealed class CountOf : IWindowAggregator<Reading, long, long>
    {
        public bool SizeVaries => false;

        public long Create() => 0;

        public void Add(ref long accumulator, Reading record, WindowElement element) => accumulator++;

        public void Merge(ref long into, ref long other) => into += other;

        public long Result(ref long accumulator) => accumulator;

        public long EstimateBytes(ref long accumulator) => 0;
    }
}
