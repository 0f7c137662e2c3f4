using System.Globalization;
using DataWeaver.Connectors;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tests.Support;
using DataWeaver.Windowing;
using Xunit.Abstractions;

namespace DataWeaver.Tests.Stateful;

/// <summary>10,000,000 distinct keys against a 64 MiB state budget: failing, in short windows, and spilled to disk (soak: tens of seconds each).</summary>
/// <remarks>
/// The heap bound is sampled process-wide (<see cref="GC.GetTotalMemory(bool)"/>, live bytes after a full collection), so
/// these tests run alone: in the collection below, which xUnit runs with no other test beside it.
/// </remarks>
[Trait("Category", "Soak")]
[Collection(nameof(WindowStateBudgetTests))]
public sealed class WindowStateBudgetTests(ITestOutputHelper output)
{
    private const long Keys = 10_000_000;
    private const long Budget = 64L * 1024 * 1024;

    [Fact]
    public async Task Window_10MDistinctKeysInOneOpenWindow_FailsNamingTheBudgetWithoutRunningOutOfMemory()
    {
        var peak = new PeakHeap();
        var source = new CountingSource(count: Keys);
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero })
            .WindowByEventTime(_ => Reading.Epoch, id => peak.Key(id), id => id, new WindowOptions { Size = TimeSpan.FromHours(1), StateBudgetBytes = Budget, Name = "ten-million" })
            .To(new CountingSink<WindowResult<string>>())
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<WindowStateFullException>(() => run.Completion.WaitAsync(TimeSpan.FromMinutes(10)));
        output.WriteLine($"{error.Message}; read {source.Read:N0}; peak managed heap {peak.Bytes / (1024 * 1024)} MiB");
        Assert.Equal(Budget, error.StateBudgetBytes);
        Assert.Contains("'ten-million'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"{Budget} bytes", error.Message, StringComparison.Ordinal);
        Assert.Empty(source.Commits); // nothing past the open window is committed: a restart with a larger budget loses nothing
        Assert.True(peak.Bytes < 1024L * 1024 * 1024, $"peak managed heap {peak.Bytes} bytes"); // unbounded, the keys would take gigabytes
    }

    [Fact]
    public async Task Window_10MDistinctKeysInShortWindows_CompletesWithinTheBudget()
    {
        var peak = new PeakHeap();
        var source = new CountingSource(count: Keys);
        var sink = new CountingSink<WindowResult<string>>();
        var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.FromSeconds(1) })
            .WindowByEventTime(id => Reading.Epoch.AddTicks(id * 1_000), id => peak.Key(id), id => id, new WindowOptions { Size = TimeSpan.FromSeconds(1), StateBudgetBytes = Budget })
            .To(sink)
            .Build()
            .Start();

        // 10,000 keys per one-second window: the state stays far below the budget as windows close.
        await run.Completion.WaitAsync(TimeSpan.FromMinutes(10));
        output.WriteLine($"results {sink.Count:N0}; peak managed heap {peak.Bytes / (1024 * 1024)} MiB");
        Assert.Equal(Keys, sink.Count);
        Assert.Equal(Keys, sink.Total);
        Assert.True(peak.Bytes < 1024L * 1024 * 1024, $"peak managed heap {peak.Bytes} bytes");
    }

    [Fact]
    public async Task Window_10MDistinctKeysInOneOpenWindowWithSpill_EmitsEveryKeyOnceWithinABoundedHeap()
    {
        var directory = Path.Combine(Path.GetTempPath(), "dw-spill-soak", Guid.NewGuid().ToString("N"));
        try
        {
            var peak = new PeakHeap(directory);
            var source = new CountingSource(count: Keys);
            var sink = new CountingSink<WindowResult<string>>(peak);
            var run = Pipeline.From(source, new PipelineOptions { CommitInterval = TimeSpan.Zero })
                .WindowByEventTime(_ => Reading.Epoch, id => peak.Key(id), id => id, new WindowOptions { Size = TimeSpan.FromHours(1), StateBudgetBytes = Budget, SpillDirectory = directory, Name = "ten-million" })
                .To(sink)
                .Build()
                .Start();

            // At the budget the window's aggregates go to a spill run; at the end of input its runs are merged.
            await run.Completion.WaitAsync(TimeSpan.FromMinutes(20));
            output.WriteLine($"results {sink.Count:N0}; peak managed heap {peak.Bytes / (1024 * 1024)} MiB; peak spill files {peak.DiskBytes / (1024 * 1024)} MiB");
            Assert.Equal(Keys, sink.Count);
            Assert.Equal(Keys, sink.Total);
            Assert.Equal((Int128)Keys * (Keys - 1) / 2, sink.KeySum); // every key exactly once: the sums of the ids and of their squares
            Assert.Equal((Int128)(Keys - 1) * Keys * ((2 * Keys) - 1) / 6, sink.KeySquareSum);
            Assert.Equal(new SourcePosition(0, Keys), Assert.Single(run.AcknowledgedPositions));
            Assert.True(peak.DiskBytes > Budget, $"spilled {peak.DiskBytes} bytes"); // the state did go to disk
            Assert.Empty(Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories));
            Assert.True(peak.Bytes < 512L * 1024 * 1024, $"peak managed heap {peak.Bytes} bytes");
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Makes the keys and samples the spill directory every 65,536 records, the live managed heap every 65,536 for the first 1,048,576 and every 1,048,576 after.</summary>
    private sealed class PeakHeap(string? spillDirectory = null)
    {
        private long _bytes;
        private long _diskBytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        /// <summary>Gets the most bytes the spill directory held when sampled.</summary>
        public long DiskBytes => Interlocked.Read(ref _diskBytes);

        public string Key(long id)
        {
            if ((id & 0xFFFF) == 0)
            {
                Sample();
            }

            return "key-" + id;
        }

        private long _samples;

        /// <summary>
        /// Samples the spill directory every time, and the live managed heap the first 16 times and every 16th time after
        /// (a full collection first, so garbage, this test's or an earlier test's in the same process, is not counted as state).
        /// </summary>
        public void Sample()
        {
            var sample = Interlocked.Increment(ref _samples);
            if (sample <= 16 || (sample & 15) == 1)
            {
                SampleHeap();
            }

            SampleDisk();
        }

        private void SampleHeap()
        {
            var now = GC.GetTotalMemory(forceFullCollection: true);
            if (now > Bytes)
            {
                Interlocked.Exchange(ref _bytes, now);
            }
        }

        private void SampleDisk()
        {
            if (spillDirectory is not null && Directory.Exists(spillDirectory))
            {
                var disk = Directory.EnumerateFiles(spillDirectory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
                if (disk > DiskBytes)
                {
                    Interlocked.Exchange(ref _diskBytes, disk);
                }
            }
        }
    }

    /// <summary>Counts results and their record counts, keeping none.</summary>
    private sealed class CountingSink<T>(PeakHeap? peak = null) : SinkConnector<T>
        where T : class
    {
        private long _count;
        private long _total;

        public long Count => Interlocked.Read(ref _count);

        public long Total => Interlocked.Read(ref _total);

        /// <summary>Gets the sum of the keys' numbers (written by one sink worker: read after the run).</summary>
        public Int128 KeySum { get; private set; }

        /// <summary>Gets the sum of the squares of the keys' numbers.</summary>
        public Int128 KeySquareSum { get; private set; }

        public override ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
        {
            var before = Interlocked.Add(ref _count, batch.Length) - batch.Length;
            if (peak is not null && (before >> 16) != ((before + batch.Length) >> 16))
            {
                peak.Sample(); // the merge at the window's end, sampled too
            }

            foreach (var item in batch.Span)
            {
                if (item is WindowResult<string> result)
                {
                    Interlocked.Add(ref _total, result.Count);
                    if (peak is not null)
                    {
                        var id = long.Parse(result.Key.AsSpan(4), CultureInfo.InvariantCulture);
                        KeySum += id;
                        KeySquareSum += (Int128)id * id;
                    }
                }
            }

            return default;
        }
    }
}

/// <summary>Runs <see cref="WindowStateBudgetTests"/> with no other test beside it.</summary>
[CollectionDefinition(nameof(WindowStateBudgetTests), DisableParallelization = true)]
public sealed class WindowStateBudgetTestsCollection
{
}
