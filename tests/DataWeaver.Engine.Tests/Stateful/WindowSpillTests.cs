using System.Buffers;
using System.Buffers.Binary;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tests.Support;
using DataWeaver.Windowing;
using DataWeaver.Windowing.Internal;
using Xunit.Abstractions;

namespace DataWeaver.Tests.Stateful;

/// <summary>Window state spilled to a local store at its budget (<see cref="WindowOptions.SpillDirectory"/>), against the brute-force reference.</summary>
public sealed class WindowSpillTests(ITestOutputHelper output) : IDisposable
{
    private const long DisorderMs = 2_000;
    private const long SmallBudget = 64 * 1024;

    private readonly string _directory = Path.Combine(Path.GetTempPath(), "dw-spill-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Theory]
    [InlineData(WindowKind.Tumbling, 97, SmallBudget)]
    [InlineData(WindowKind.Hopping, 97, SmallBudget)]
    [InlineData(WindowKind.Tumbling, 1, 4 * SmallBudget)] // a batch a record: the held batches take more of the budget
    public async Task WindowByEventTime_SpilledAtASmallBudget_EqualsTheBruteForceReferenceAndTheUnspilledRun(WindowKind kind, int batchSize, long budget)
    {
        // 2,000 keys, out of order by up to 2 s, 1% a minute behind (late): about 1,300 keys per 10 s window against a
        // budget of about 100 aggregates, so every window spills many times.
        var events = WindowReference.Events(batchSize == 1 ? 20_000 : 60_000, seed: 11, keys: 2_000, values: 40, disorderMs: (int)DisorderMs, slightlyLateMs: 4_000, farLateMs: 60_000);
        var spilled = Options(kind) with { StateBudgetBytes = budget, SpillDirectory = _directory };

        var (emitted, late, run) = await WindowKindsTests.RunAsync(events, spilled, batchSize);

        var (expected, expectedLate) = WindowReference.Run(events, kind, 10_000, 2_000, 0, DisorderMs, 0, collect: 3);
        var actual = WindowReference.Sorted(WindowReference.Final(emitted, kind));
        output.WriteLine($"{kind}: {events.Length} events, {expected.Count} windows, {emitted.Count} results, {late.Count} late");
        Assert.Equal(emitted.Count, actual.Count); // one result per (key, window), no update
        Assert.Equal(WindowReference.Sorted(expected), actual);
        Assert.Equal(expectedLate, late.Order());
        Assert.Equal(new SourcePosition(0, events.Length), Assert.Single(run.AcknowledgedPositions));
        Assert.Empty(SpillFiles()); // every window's runs deleted once emitted

        // The approximate distinct counts (merged sketches) equal an unspilled run's exactly; without the spill the
        // same budget fails, so the run above did spill.
        var (unspilled, _, _) = await WindowKindsTests.RunAsync(events, spilled with { StateBudgetBytes = WindowOptions.DefaultStateBudgetBytes, SpillDirectory = null }, batchSize);
        Assert.Equal(Sketches(unspilled), Sketches(emitted));
        await Assert.ThrowsAsync<WindowStateFullException>(() => WindowKindsTests.RunAsync(events, spilled with { SpillDirectory = null }, batchSize));
    }

    [Fact]
    public async Task Window_ProcessingTimeSpilled_EmitsEveryKeyOnceWithItsCount()
    {
        // Processing time in one open hour-long window (a fake clock that does not move): 30,000 records of 7,000 keys.
        var records = Enumerable.Range(0, 30_000).Select(i => (long)((i * 7_919L) % 7_000)).ToArray();
        var sink = new CollectionSink<WindowResult<long>>();
        await Pipeline.From(new CollectionSource<long>(records), new PipelineOptions { BatchSize = 128, TimeProvider = new ManualTimeProvider() })
            .Window(k => k, k => k, new WindowOptions { Size = TimeSpan.FromHours(1), StateBudgetBytes = SmallBudget, SpillDirectory = _directory })
            .To(sink)
            .Build()
            .RunAsync();

        var expected = records.GroupBy(k => k).Select(g => (g.Key, (long)g.Count(), (double)g.Sum())).Order();
        Assert.Equal(expected, sink.Records.Select(r => (r.Key, r.Count, r.Sum)).Order());
        Assert.Empty(SpillFiles());
    }

    [Fact]
    public async Task WindowByEventTime_SpilledUserAggregatorWithCodec_EqualsTheBruteForceReference()
    {
        var events = WindowReference.Events(40_000, seed: 5, keys: 3_000, values: 100, disorderMs: 1_000, slightlyLateMs: 0, farLateMs: 0);
        var sink = new CollectionSink<WindowOutput<int, long>>();
        var options = Options(WindowKind.Hopping) with { MaxOutOfOrderness = TimeSpan.FromSeconds(1), StateBudgetBytes = SmallBudget, SpillDirectory = _directory };
        await Pipeline.From(new CollectionSource<Ev>(events), new PipelineOptions { BatchSize = 64 })
            .WindowByEventTime(e => e.Time, e => e.Key, new EvenValueCount(), options)
            .To(sink)
            .Build()
            .RunAsync();

        var (reference, late) = WindowReference.Run(events.Select(e => e with { Value = e.Value % 2 == 0 ? 1 : 0 }).ToList(), WindowKind.Hopping, 10_000, 2_000, 0, 1_000, 0, collect: 0);
        Assert.Empty(late);
        Assert.Equal(
            reference.Select(r => (r.Key, r.StartMs, (long)r.Sum)).Order(),
            sink.Records.Select(r => (r.Key, r.Start.ToUnixTimeMilliseconds(), r.Value)).Order());
        Assert.Empty(SpillFiles());
    }

    [Fact]
    public async Task WindowByEventTime_LeftoverSpillFilesOfAKilledProcess_AreDeletedAndNotRead()
    {
        var events = WindowReference.Events(20_000, seed: 3, keys: 1_000, values: 40, disorderMs: 500, slightlyLateMs: 0, farLateMs: 0);
        var options = Options(WindowKind.Tumbling) with { MaxOutOfOrderness = TimeSpan.FromMilliseconds(500), StateBudgetBytes = SmallBudget, SpillDirectory = _directory, Name = "spilling" };

        // What a killed process leaves: runs named as this run will name its own, holding a wrong count for key 0.
        var stageDirectory = Path.Combine(_directory, WindowSpill<int, StandardAccumulator>.FolderOf("spilling"));
        Directory.CreateDirectory(stageDirectory);
        var leftovers = Enumerable.Range(0, 3).Select(i => Path.Combine(stageDirectory, $"w{Reading.Epoch.AddSeconds(1_000).UtcTicks}-{i}.dwspill")).ToList();
        foreach (var path in leftovers)
        {
            await File.WriteAllBytesAsync(path, LeftoverRun());
        }

        var (emitted, late, _) = await WindowKindsTests.RunAsync(events, options, batchSize: 50);

        var (expected, _) = WindowReference.Run(events, WindowKind.Tumbling, 10_000, 0, 0, 500, 0, collect: 3);
        Assert.Empty(late);
        Assert.Equal(WindowReference.Sorted(expected), WindowReference.Sorted(WindowReference.Final(emitted, WindowKind.Tumbling)));
        Assert.All(leftovers, path => Assert.False(File.Exists(path)));
        Assert.Empty(SpillFiles());
    }

    [Fact]
    public async Task WindowByEventTime_SpillPastItsDiskBound_FailsNamingTheDirectoryAndCommitsNothing()
    {
        var source = new CountingSource(count: 500_000);
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero })
            .WindowByEventTime(_ => Reading.Epoch, id => "key-" + id, id => id, new WindowOptions
            {
                Size = TimeSpan.FromHours(1),
                StateBudgetBytes = SmallBudget,
                SpillDirectory = _directory,
                SpillMaxBytes = 256 * 1024,
                Name = "bounded-spill",
            })
            .To(new CollectionSink<WindowResult<string>>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<WindowSpillFullException>(() => run.Completion.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(ErrorClass.Fatal, error.ErrorClass);
        Assert.Equal(_directory, error.SpillDirectory);
        Assert.Equal(256 * 1024, error.SpillMaxBytes);
        Assert.True(error.SpillBytes > error.SpillMaxBytes);
        Assert.Contains(_directory, error.Message, StringComparison.Ordinal);
        Assert.Contains("'bounded-spill'", error.Message, StringComparison.Ordinal);
        Assert.Empty(source.Commits);
        Assert.True(source.Read < 500_000);
        Assert.Empty(SpillFiles()); // the stage deleted what it had written
    }

    [Fact]
    public void Build_SpillWithAUserAggregatorWithoutCodec_FailsNamingTheStage()
    {
        var builder = Pipeline.From(new CollectionSource<Ev>([]))
            .WindowByEventTime(e => e.Time, e => e.Key, new CodeclessCount(), new WindowOptions { SpillDirectory = _directory, Name = "codecless" })
            .To(new CollectionSink<WindowOutput<int, long>>());

        var error = Assert.Throws<PipelineConfigurationException>(builder.Build);
        var message = Assert.Single(error.Errors);
        Assert.Contains("'codecless'", message, StringComparison.Ordinal);
        Assert.Contains("IWindowAccumulatorCodec", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Build_SpillOnSessionWindowsWithLateness_ListsEachRefusal()
    {
        var builder = Pipeline.From(new CollectionSource<Ev>([]))
            .WindowByEventTime(e => e.Time, e => e.Key, e => e.Value, new WindowOptions { Kind = WindowKind.Session, AllowedLateness = TimeSpan.FromSeconds(1), SpillDirectory = _directory, SpillMaxBytes = 1 })
            .To(new CollectionSink<WindowResult<int>>());

        var error = Assert.Throws<PipelineConfigurationException>(builder.Build);
        Assert.Contains(error.Errors, e => e.Contains("session windows", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("AllowedLateness", StringComparison.Ordinal));
        Assert.Contains(error.Errors, e => e.Contains("SpillMaxBytes", StringComparison.Ordinal));
    }

    private static WindowOptions Options(WindowKind kind) => new()
    {
        Kind = kind,
        Size = TimeSpan.FromSeconds(10),
        Hop = kind == WindowKind.Hopping ? TimeSpan.FromSeconds(2) : null,
        MaxOutOfOrderness = TimeSpan.FromMilliseconds(DisorderMs),
        DistinctCount = true,
        CollectLimit = 3,
        ApproximateDistinctPrecision = 4,
    };

    private static List<(int Key, DateTimeOffset Start, long? Estimate)> Sketches(IEnumerable<WindowResult<int>> results) =>
        [.. results.Select(r => (r.Key, r.Start, r.ApproximateDistinctCount)).Order()];

    /// <summary>A spill run as the stage writes one: header, one frame (key 0, a count of 1,000,000), end.</summary>
    private static byte[] LeftoverRun()
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new StateWriter(buffer);
        writer.WriteBytes("DWWS"u8);
        writer.WriteByte(1);
        writer.WriteByte(2);
        writer.WriteInt64(0);
        var frame = new ArrayBufferWriter<byte>();
        var frameWriter = new StateWriter(frame);
        frameWriter.WriteInt32(0.GetHashCode());
        frameWriter.WriteInt32(0);
        var accumulator = new StandardAccumulator { Count = 1_000_000 };
        StandardCodec.Write(frameWriter, ref accumulator);
        writer.WriteInt32(frame.WrittenCount);
        writer.WriteBytes(frame.WrittenSpan);
        writer.WriteInt32(-1);
        return buffer.WrittenSpan.ToArray();
    }

    private List<string> SpillFiles() =>
        Directory.Exists(_directory) ? [.. Directory.EnumerateFiles(_directory, "*", SearchOption.AllDirectories)] : [];

    /// <summary>Counts the even values; writes its accumulator as 8 bytes, so it can spill.</summary>
    private sealed class EvenValueCount : IWindowAggregator<Ev, long, long>, IWindowAccumulatorCodec<long>
    {
        public bool SizeVaries => false;

        public long Create() => 0;

        public void Add(ref long accumulator, Ev record, WindowElement element) => accumulator += record.Value % 2 == 0 ? 1 : 0;

        public void Merge(ref long into, ref long other) => into += other;

        public long Result(ref long accumulator) => accumulator;

        public long EstimateBytes(ref long accumulator) => 0;

        public void Write(ref long accumulator, IBufferWriter<byte> output)
        {
            BinaryPrimitives.WriteInt64LittleEndian(output.GetSpan(8), accumulator);
            output.Advance(8);
        }

        public long Read(ReadOnlySpan<byte> bytes) => BinaryPrimitives.ReadInt64LittleEndian(bytes);
    }

    /// <summary>A count that cannot write its accumulator.</summary>
    private sealed class CodeclessCount : IWindowAggregator<Ev, long, long>
    {
        public bool SizeVaries => false;

        public long Create() => 0;

        public void Add(ref long accumulator, Ev record, WindowElement element) => accumulator++;

        public void Merge(ref long into, ref long other) => into += other;

        public long Result(ref long accumulator) => accumulator;

        public long EstimateBytes(ref long accumulator) => 0;
    }
}
