using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Windowing;
using Xunit.Abstractions;

namespace DataWeaver.Tests.Stateful;

/// <summary>The approximate distinct count (a HyperLogLog sketch per key and window) against the exact one.</summary>
public sealed class ApproximateDistinctTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(12)]
    [InlineData(14)]
    public async Task WindowByEventTime_1MRandomValuesOver2000Keys_ApproximateDistinctWithinThreeStandardErrorsOfTheExact(int precision)
    {
        // 1,000,000 records over 2,000 keys with skewed weights (a few keys get tens of thousands of records, most a
        // few hundred); half the keys draw values from a wide range (nearly all distinct), half from a narrow one
        // (many repeats), so the exact distinct counts run from a handful to about 60,000.
        const int Records = 1_000_000;
        const int Keys = 2_000;
        var random = new Random(20261208);
        var events = new (int Key, double Value)[Records];
        for (var i = 0; i < Records; i++)
        {
            var key = (int)(Keys * Math.Pow(random.NextDouble(), 3));
            var value = key % 2 == 0 ? random.NextInt64(1L << 40) : random.Next(1 + (key * 7));
            events[i] = (key, value);
        }

        var sink = new CollectionSink<WindowResult<int>>();
        await Pipeline.From(new CollectionSource<(int Key, double Value)>(events))
            .WindowByEventTime(
                _ => Reading.Epoch,
                e => e.Key,
                e => e.Value,
                new WindowOptions { Size = TimeSpan.FromHours(1), DistinctCount = true, ApproximateDistinctPrecision = precision, StateBudgetBytes = 1L << 30 })
            .To(sink)
            .Build()
            .Start()
            .Completion.WaitAsync(TimeSpan.FromMinutes(5));

        var results = sink.Records;
        Assert.Equal(events.Select(e => e.Key).Distinct().Count(), results.Count);
        var sigma = HyperLogLogSketch.StandardErrorOf(precision);
        var errors = results.Select(r => (r.ApproximateDistinctCount!.Value - (double)r.DistinctCount!.Value) / r.DistinctCount!.Value).ToArray();
        var rms = Math.Sqrt(errors.Average(e => e * e));
        var worst = errors.Max(Math.Abs);
        var beyond3 = errors.Count(e => Math.Abs(e) > 3 * sigma);
        var largest = results.MaxBy(r => r.DistinctCount!.Value)!;
        output.WriteLine(
            $"precision {precision}: sigma {sigma:P2}, keys {results.Count}, distinct {results.Min(r => r.DistinctCount)}-{largest.DistinctCount}, " +
            $"rms error {rms:P2}, worst {worst:P2}, beyond 3 sigma {beyond3}, largest key: exact {largest.DistinctCount} estimate {largest.ApproximateDistinctCount}");

        // Documented bound: the relative error's standard deviation is about sigma, so over many keys the root mean square
        // error stays near sigma and at most 0.3 % of the keys fall beyond 3 sigma (here: none past 4 sigma).
        Assert.True(rms <= 1.2 * sigma, $"rms error {rms:P3} above 1.2 x {sigma:P3}");
        Assert.True(beyond3 <= Math.Max(1, results.Count * 3 / 1000), $"{beyond3} keys beyond 3 sigma");
        Assert.True(worst <= 4 * sigma, $"worst error {worst:P3} above 4 x {sigma:P3}");
        Assert.Equal(events.Length, results.Sum(r => r.Count));
    }

    [Fact]
    public void Estimate_1MDistinctValuesInOneSketch_WithinThreeStandardErrors()
    {
        var sketch = new HyperLogLogSketch(14);
        var exact = new HashSet<long>();
        var random = new Random(99);
        for (var i = 0; i < 1_000_000; i++)
        {
            var v = random.NextInt64(3_000_000);
            exact.Add(v);
            sketch.Add(v);
        }

        var error = (sketch.Estimate() - (double)exact.Count) / exact.Count;
        output.WriteLine($"exact {exact.Count}, estimate {sketch.Estimate()}, error {error:P3}, sigma {sketch.StandardError:P3}");
        Assert.True(Math.Abs(error) <= 3 * sketch.StandardError, $"error {error:P3}");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(100)]
    public void Estimate_FewValues_IsExactOrNearly(int count)
    {
        var sketch = new HyperLogLogSketch();
        for (var i = 0; i < count; i++)
        {
            sketch.Add($"user-{i}");
            sketch.Add($"user-{i}"); // a repeat counts once
        }

        Assert.InRange(sketch.Estimate(), count - (count / 50), count + (count / 50));
    }

    [Fact]
    public void Merge_TwoHalves_EqualsTheSketchOfTheWhole()
    {
        var whole = new HyperLogLogSketch(10);
        var left = new HyperLogLogSketch(10);
        var right = new HyperLogLogSketch(10);
        for (var i = 0; i < 50_000; i++)
        {
            whole.Add((long)i);
            (i % 3 == 0 ? left : right).Add((long)i);
        }

        left.Merge(right);
        Assert.True(whole.Registers.SequenceEqual(left.Registers));
        Assert.Equal(whole.Estimate(), left.Estimate());

        var restored = HyperLogLogSketch.FromRegisters(left.Registers);
        Assert.Equal(10, restored.Precision);
        Assert.Equal(whole.Estimate(), restored.Estimate());
        Assert.Throws<ArgumentException>(() => left.Merge(new HyperLogLogSketch(11)));
        Assert.Throws<ArgumentException>(() => HyperLogLogSketch.FromRegisters(new byte[100]));
    }

    [Fact]
    public void Hash_SameValue_IsStableAcrossProcesses()
    {
        // Fixed values: a sketch stored by one process merges with one built in another.
        Assert.Equal(HyperLogLogSketch.Hash(0.0), HyperLogLogSketch.Hash(-0.0));
        Assert.Equal(HyperLogLogSketch.Hash("user-1".AsSpan()), HyperLogLogSketch.Hash("user-1".AsSpan()));
        Assert.Equal(0x2D1C8760F8047FC7UL, HyperLogLogSketch.Hash(42L));
    }

    [Fact]
    public void Add_100kValues_AllocatesNothingBeyondTheFixedRegisters()
    {
        var before = GC.GetAllocatedBytesForCurrentThread();
        var sketch = new HyperLogLogSketch(12);
        var created = GC.GetAllocatedBytesForCurrentThread() - before;
        for (var i = 0; i < 100_000; i++)
        {
            sketch.Add((double)i);
            sketch.Add($"{i}".AsSpan());
        }

        var strings = 100_000L * 24; // the test's own interpolated strings, at least 24 bytes each
        var added = GC.GetAllocatedBytesForCurrentThread() - before - created;
        output.WriteLine($"created {created} bytes, size {sketch.SizeBytes}");
        Assert.InRange(created, 4096, sketch.SizeBytes);
        Assert.Equal(4096 + HyperLogLogSketch.OverheadBytes, sketch.SizeBytes);
        Assert.True(added <= strings * 3, $"{added} bytes allocated while adding"); // only the strings: the sketch does not grow
    }

    [Fact]
    public async Task WindowByEventTime_ApproximateDistinctAgainstASmallBudget_CountsTheSketchOfEachKey()
    {
        // Each key's sketch takes 4,160 bytes (precision 12) whatever its values: a 1 MiB budget holds fewer than 252 keys.
        const long Budget = 1024 * 1024;
        var events = Enumerable.Range(0, 10_000).Select(i => (Key: i, Value: 1.0)).ToArray();
        var run = Pipeline.From(new CollectionSource<(int Key, double Value)>(events))
            .WindowByEventTime(_ => Reading.Epoch, e => e.Key, e => e.Value, new WindowOptions { ApproximateDistinctPrecision = 12, StateBudgetBytes = Budget, Name = "sketches" })
            .To(new CollectionSink<WindowResult<int>>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<WindowStateFullException>(() => run.Completion.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(Budget, error.StateBudgetBytes);
        Assert.Contains("'sketches'", error.Message, StringComparison.Ordinal);
        output.WriteLine(error.Message);
        Assert.True(error.StateBytes > Budget);
        Assert.True(error.StateBytes - Budget < 4_160 + 512, $"over the budget by {error.StateBytes - Budget}"); // one key's worth past it
    }

    [Fact]
    public async Task WindowByEventTime_FixedSizeUserAggregatorAgainstASmallBudget_CountsEachKeysHeapOnce()
    {
        // An accumulator with a 10,000-byte array from Create and SizeVaries = false: its bytes are counted once per new
        // key (they were not counted at all before, so such state escaped the budget).
        const long Budget = 1024 * 1024;
        var events = Enumerable.Range(0, 10_000).Select(i => (Key: i, Value: 1.0)).ToArray();
        var run = Pipeline.From(new CollectionSource<(int Key, double Value)>(events))
            .WindowByEventTime<(int Key, double Value), int, byte[], int>(_ => Reading.Epoch, e => e.Key, new FixedHeapAggregator(), new WindowOptions { StateBudgetBytes = Budget, Name = "fixed" })
            .To(new CollectionSink<WindowOutput<int, int>>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<WindowStateFullException>(() => run.Completion.WaitAsync(TimeSpan.FromMinutes(2)));
        Assert.Equal(Budget, error.StateBudgetBytes);
        Assert.True(error.StateBytes > Budget);
        Assert.True(error.StateBytes - Budget < FixedHeapAggregator.Bytes + 512, $"over the budget by {error.StateBytes - Budget}"); // one key's worth past it
    }

    [Fact]
    public void Validate_PrecisionOutOfRange_ListsTheError()
    {
        var builder = Pipeline.From(new CollectionSource<int>([1]))
            .Window(i => i, i => i, new WindowOptions { ApproximateDistinctPrecision = 3, Name = "w" })
            .To(new CollectionSink<WindowResult<int>>());
        var error = Assert.ThrowsAny<Exception>(() => builder.Build());
        Assert.Contains("ApproximateDistinctPrecision must be from 4 to 18 (was 3)", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A fixed-size heap accumulator: 10,000 bytes from <see cref="Create"/>, never growing.</summary>
    private sealed class FixedHeapAggregator : IWindowAggregator<(int Key, double Value), byte[], int>
    {
        public const int Bytes = 10_000;

        public bool SizeVaries => false;

        public byte[] Create() => new byte[Bytes];

        public void Add(ref byte[] accumulator, (int Key, double Value) record, WindowElement element) => accumulator[0]++;

        public void Merge(ref byte[] into, ref byte[] other) => into[0] += other[0];

        public int Result(ref byte[] accumulator) => accumulator[0];

        public long EstimateBytes(ref byte[] accumulator) => accumulator.Length;
    }
}
