using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Pipelines;

public sealed class OrderingTests
{
    [Fact]
    public async Task Parallel_OrderedWithUnevenWork_EmitsOneMillionRecordsInSourceOrder()
    {
        var input = Enumerable.Range(0, 1_000_000).Select(i => (long)i).ToArray();
        var sink = new CollectionSink<long>();
        var pipeline = Pipeline.From(new CollectionSource<long>(input), new PipelineOptions { BatchSize = 512 })
            .Parallel(4)
            .Map(x => SlowOnSomeBatches(x))
            .To(sink)
            .Build();

        await pipeline.RunAsync();

        Assert.Equal(input, sink.Records);
    }

    [Fact]
    public async Task ParallelByKey_UnevenWorkPerKey_KeepsPerKeyOrderAndLosesNothing()
    {
        var input = Enumerable.Range(0, 200_000).Select(i => (Key: i % 97, Seq: (long)i)).ToArray();
        var sink = new CollectionSink<(int Key, long Seq)>();
        var pipeline = Pipeline.From(new CollectionSource<(int Key, long Seq)>(input), new PipelineOptions { BatchSize = 256 })
            .ParallelByKey(4, r => r.Key)
            .Map(r => r.Key % 4 == 0 ? (r.Key, SlowOnSomeBatches(r.Seq)) : r)
            .To(sink)
            .Build();

        await pipeline.RunAsync();

        var output = sink.Records;
        Assert.Equal(input.Length, output.Count);
        Assert.Equal(input.Length, output.Distinct().Count());
        foreach (var group in output.GroupBy(r => r.Key))
        {
            Assert.Equal(input.Where(r => r.Key == group.Key).Select(r => r.Seq), group.Select(r => r.Seq));
        }
    }

    [Fact]
    public async Task Parallel_Unordered_AcknowledgesContiguousWatermarksUpToTheEnd()
    {
        var sink = new CollectionSink<long>();
        var source = new CountingSource(count: 100_000);
        var pipeline = Pipeline.From(source, new PipelineOptions { BatchSize = 128 })
            .Parallel(4, StageOrdering.Unordered)
            .Map(x => SlowOnSomeBatches(x))
            .To(sink)
            .Build();

        var run = pipeline.Start();
        await run.Completion;

        Assert.Equal(100_000, sink.Records.Distinct().Count());
        var acknowledged = source.Acknowledged.ToArray();
        Assert.All(acknowledged, p => Assert.Equal(0, p.Partition));
        Assert.True(acknowledged.Zip(acknowledged.Skip(1)).All(p => p.First.Offset < p.Second.Offset), "watermarks only move forward");
        Assert.Equal(new SourcePosition(0, 100_000), acknowledged[^1]);
        Assert.Equal(new SourcePosition(0, 100_000), source.Commits.Last());
    }

    [Fact]
    public async Task ParallelSinks_EightWriters_WatermarksReachTheSourceInOrder()
    {
        var source = new CountingSource(count: 200_000);
        var sink = new CollectionSink<long>();
        await Pipeline.From(source, new PipelineOptions { BatchSize = 16 })
            .Parallel(8, StageOrdering.Unordered).Map(x => x)
            .To(sink, new StageOptions { DegreeOfParallelism = 8 })
            .Build()
            .RunAsync();

        var acknowledged = source.Acknowledged.Select(p => p.Offset).ToArray();
        Assert.Equal(acknowledged.Order(), acknowledged);
        Assert.Equal(200_000, acknowledged[^1]);
        Assert.Equal(200_000, sink.Records.Distinct().Count());
    }

    [Fact]
    public async Task Parallel_StatefulStructOperator_EachWorkerHasItsOwnCopy()
    {
        var input = Enumerable.Range(0, 200_000).Select(i => (long)i).ToArray();
        var sink = new CollectionSink<long>();
        OverlapDetector.Overlaps = 0;

        await Pipeline.From(new CollectionSource<long>(input), new PipelineOptions { BatchSize = 64 })
            .Parallel(8, StageOrdering.Unordered)
            .Map<long, OverlapDetector>(default)
            .To(sink)
            .Build()
            .RunAsync();

        Assert.Equal(0, OverlapDetector.Overlaps);
        Assert.Equal(input, sink.Records.Order());
    }

    /// <summary>Counts calls that find their own copy already busy: only possible if workers share a copy.</summary>
    public struct OverlapDetector : IMapOperator<long, long>
    {
        private static int s_overlaps;
        private int _busy;

        public static int Overlaps
        {
            get => Volatile.Read(ref s_overlaps);
            set => Volatile.Write(ref s_overlaps, value);
        }

        public long Map(long value)
        {
            if (Interlocked.Exchange(ref _busy, 1) != 0)
            {
                Interlocked.Increment(ref s_overlaps);
            }

            Thread.SpinWait(20);
            Volatile.Write(ref _busy, 0);
            return value;
        }
    }

    /// <summary>Spins on one batch in five so parallel workers finish out of order.</summary>
    private static long SlowOnSomeBatches(long x)
    {
        if (x % 2560 == 0)
        {
            Thread.SpinWait(20_000);
        }

        return x;
    }
}
