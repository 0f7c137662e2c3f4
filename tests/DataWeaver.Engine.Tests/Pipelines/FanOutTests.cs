using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Pipelines;

public sealed class FanOutTests
{
    [Fact]
    public async Task Broadcast_OneSinkStuck_AcknowledgesNothingUntilEverySinkWrote()
    {
        var fast = new CollectionSink<long>("fast");
        var slow = new GatedSink<long>(freeBatches: 0, name: "slow");
        var source = new CountingSource(count: 1_000);
        var run = Pipeline.From(source, new PipelineOptions { BatchSize = 100 })
            .Broadcast(b => b.To(fast), b => b.Map(x => x * 10).To(slow))
            .Build()
            .Start();
        await slow.Blocked;
        await LifecycleTests.WaitUntil(() => fast.Count > 0);

        Assert.Empty(run.AcknowledgedPositions);
        slow.Open();
        await run.Completion;

        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => (long)i), fast.Records);
        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => i * 10L), slow.Records);
        Assert.Equal(new SourcePosition(0, 1_000), Assert.Single(run.AcknowledgedPositions));
    }

    [Fact]
    public async Task Route_FirstMatchingBranchWins_UnmatchedAreCountedAndAcknowledged()
    {
        var even = new CollectionSink<int>("even");
        var threes = new CollectionSink<int>("threes");
        var input = Enumerable.Range(0, 10_000).ToArray();
        var run = Pipeline.From(new CollectionSource<int>(input))
            .Route(r => r
                .When(x => x % 2 == 0, b => b.To(even))
                .When(x => x % 3 == 0, b => b.To(threes)))
            .Build()
            .Start();

        await run.Completion;

        Assert.Equal(input.Where(x => x % 2 == 0), even.Records);
        Assert.Equal(input.Where(x => x % 2 != 0 && x % 3 == 0), threes.Records);
        Assert.Equal(input.Count(x => x % 2 != 0 && x % 3 != 0), run.Statistics.RecordsUnrouted);
        Assert.Equal(new SourcePosition(0, 10_000), Assert.Single(run.AcknowledgedPositions));
    }

    [Fact]
    public async Task Route_Otherwise_TakesEverythingElse()
    {
        var big = new CollectionSink<int>("big");
        var rest = new CollectionSink<int>("rest");
        var input = Enumerable.Range(0, 5_000).ToArray();

        await Pipeline.From(new CollectionSource<int>(input))
            .Route(r => r.When(x => x >= 4_000, b => b.To(big)).Otherwise(b => b.Filter(x => x % 2 == 1).To(rest)))
            .Build()
            .RunAsync();

        Assert.Equal(input.Where(x => x >= 4_000), big.Records);
        Assert.Equal(input.Where(x => x < 4_000 && x % 2 == 1), rest.Records);
    }
}
