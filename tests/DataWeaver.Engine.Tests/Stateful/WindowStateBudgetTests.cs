using DataWeaver.Connectors;
using DataWeaver.Pipelines;
using DataWeaver.Tests.Support;
using DataWeaver.Windowing;
using Xunit.Abstractions;

namespace DataWeaver.Tests.Stateful;

/// <summary>10,000,000 distinct keys against a 64 MiB state budget (soak: tens of seconds).</summary>
[Trait("Category", "Soak")]
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

    /// <summary>Makes the keys and samples the managed heap every 65,536 records.</summary>
    private sealed class PeakHeap
    {
        private long _bytes;

        public long Bytes => Interlocked.Read(ref _bytes);

        public string Key(long id)
        {
            if ((id & 0xFFFF) == 0)
            {
                var now = GC.GetTotalMemory(forceFullCollection: false);
                if (now > Bytes)
                {
                    Interlocked.Exchange(ref _bytes, now);
                }
            }

            return "key-" + id;
        }
    }

    /// <summary>Counts results and their record counts, keeping none.</summary>
    private sealed class CountingSink<T> : SinkConnector<T>
        where T : class
    {
        private long _count;
        private long _total;

        public long Count => Interlocked.Read(ref _count);

        public long Total => Interlocked.Read(ref _total);

        public override ValueTask WriteAsync(ReadOnlyMemory<T> batch, CancellationToken cancellationToken = default)
        {
            Interlocked.Add(ref _count, batch.Length);
            foreach (var item in batch.Span)
            {
                if (item is WindowResult<string> result)
                {
                    Interlocked.Add(ref _total, result.Count);
                }
            }

            return default;
        }
    }
}
