using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Tests.Pipelines;

/// <summary>
/// Consecutive struct maps and filters of a segment run as one fused loop (Internal/Operators/FusedChainOperator).
/// Each test runs the same steps fused (one block) and unfused (each step in a block of its own, through the steps'
/// own operators) over random inputs, and asserts the same outputs, dead letters and counts.
/// </summary>
public sealed class FusedChainTests
{
    public static TheoryData<int> Seeds => [1, 2, 3, 4, 5];

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Run_StructFiltersAndMapsWithAPolicyPerStep_SameOutputsAndDeadLettersAsUnfused(int seed)
    {
        var inputs = RandomInputs(seed, count: 20_000);

        var fused = await RunAsync(inputs, seed, fuse: true);
        var unfused = await RunAsync(inputs, seed, fuse: false);

        Assert.NotEmpty(fused.Outputs);
        Assert.NotEmpty(fused.Letters);
        Assert.Equal(unfused.Outputs, fused.Outputs);
        Assert.Equal(unfused.Letters, fused.Letters);
        Assert.Equal(unfused.Statistics.RecordsFiltered, fused.Statistics.RecordsFiltered);
        Assert.Equal(unfused.Statistics.RecordsSkipped, fused.Statistics.RecordsSkipped);
        Assert.Equal(unfused.Statistics.RecordsDeadLettered, fused.Statistics.RecordsDeadLettered);
        Assert.Equal(inputs.Length, fused.Outputs.Count + fused.Statistics.RecordsFiltered + fused.Statistics.RecordsSkipped + fused.Statistics.RecordsDeadLettered);
        Assert.Equal(Expected(inputs), fused.Outputs);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public async Task Run_StructChainWithoutFailures_SameOutputsAsUnfusedAndTheLoopWritten(int seed)
    {
        // No record fails: only the fused loop runs (the steps' operators are the fallback under a policy).
        var inputs = RandomInputs(seed, count: 50_000);
        var fused = await RunAsync(inputs, seed, fuse: true, failing: false);
        var unfused = await RunAsync(inputs, seed, fuse: false, failing: false);

        Assert.Equal(unfused.Outputs, fused.Outputs);
        Assert.Empty(fused.Letters);
        Assert.Equal(unfused.Statistics.RecordsFiltered, fused.Statistics.RecordsFiltered);
        Assert.Equal(Expected(inputs, failing: false), fused.Outputs);
    }

    [Fact]
    public async Task Run_MoreStructMapsThanOneChainHoldsAndALambdaBetween_MapsEveryRecordInOrder()
    {
        var inputs = Enumerable.Range(0, 10_000).Select(static i => (long)i).ToArray();
        var sink = new CollectionSink<long>();
        var builder = Pipeline.From(new CollectionSource<long>(inputs), new PipelineOptions { BatchSize = 100 });
        for (var i = 0; i < 11; i++)
        {
            builder = builder.Map<long, AddOrFail>(new AddOrFail(1, failModulo: 0));
        }

        await builder.Map(static v => v * 2).Map<long, AddOrFail>(new AddOrFail(3, failModulo: 0)).Filter(new DropMultiplesOf(5)).To(sink).Build().RunAsync();

        Assert.Equal(inputs.Select(static v => ((v + 11) * 2) + 3).Where(static v => v % 5 != 0), sink.Records);
    }

    [Fact]
    public async Task Run_FusedStructChainFailFast_FailsWithTheStepsError()
    {
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(new CollectionSource<long>([.. Enumerable.Range(0, 1_000).Select(static i => (long)i)]))
            .Filter(new DropMultiplesOf(3))
            .Map<long, FailAt>(new FailAt(500))
            .Map<long, AddOrFail>(new AddOrFail(1, failModulo: 0))
            .To(sink)
            .Build()
            .Start();

        var error = await Assert.ThrowsAsync<DataWeaverException>(() => run.Completion);

        Assert.Equal("failed on 500", error.Message);
        Assert.Empty(sink.Records); // the failing batch (all 1,000 records) never reached the sink
    }

    [Fact]
    public async Task Run_EveryRecordFilteredByAFusedChain_AcknowledgesAndWritesNothing()
    {
        var sink = new CollectionSink<long>();
        var run = Pipeline.From(new CollectionSource<long>([.. Enumerable.Range(0, 5_000).Select(static i => (long)i * 5)]), new PipelineOptions { BatchSize = 128 })
            .Map<long, AddOrFail>(new AddOrFail(0, failModulo: 0))
            .Filter(new DropMultiplesOf(5))
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        Assert.Empty(sink.Records);
        Assert.Equal(5_000, run.Statistics.RecordsFiltered);
    }

    private static long[] RandomInputs(int seed, int count)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ => (long)random.Next(0, 1_000_000))];
    }

    /// <summary>What the steps give by hand: the records that fail any step are left out (dead-lettered or skipped).</summary>
    private static List<long> Expected(long[] inputs, bool failing = true)
    {
        List<long> outputs = [];
        foreach (var input in inputs)
        {
            if (input % 4 == 0 || (failing && input % 7 == 1))
            {
                continue;
            }

            if (failing && input % 11 == 1)
            {
                continue;
            }

            var added = input + 5;

            var item = new Item(added, (int)(added % 3));
            if (failing && item.Value % 13 == 2)
            {
                continue;
            }

            if (item.Tag == 0)
            {
                continue;
            }

            outputs.Add((item.Value * 3) + item.Tag);
        }

        return outputs;
    }

    private static async Task<(IReadOnlyList<long> Outputs, List<string> Letters, PipelineStatistics Statistics)> RunAsync(long[] inputs, int seed, bool fuse, bool failing = true)
    {
        var sink = new CollectionSink<long>();
        var letters = new CollectionSink<DeadLetter>("dlq");
        var options = new PipelineOptions { BatchSize = 64 + (seed * 37) };
        var stage = new StageOptions();
        var longs = Pipeline.From(new CollectionSource<long>(inputs), options);
        var items = longs.Step(fuse, stage).Filter(new DropMultiplesOf(4), "drop4")
            .Map<long, AddOrFail>(new AddOrFail(0, failing ? 7 : 0), "add0").OnError(e => e.DeadLetterTo(letters))
            .Step(fuse, stage).Map<long, AddOrFail>(new AddOrFail(5, failing ? 11 : 0), "add5").OnError(e => e.Skip())
            .Step(fuse, stage).Map<Item, ToItem>(new ToItem(failing ? 13 : 0), "item").OnError(e => e.Retry(2, TimeSpan.Zero).DeadLetterTo(letters));
        var run = items
            .Step(fuse, stage).Filter(default(TaggedItem), "tagged")
            .Step(fuse, stage).Map<long, FromItem>(default, "back")
            .To(sink)
            .Build()
            .Start();
        await run.Completion;

        // Per stage, in order: the unfused blocks send their dead letters concurrently, each stage in its own order.
        // The steps are named: a Stage boundary would otherwise shift the generated names (map2 vs map3).
        var described = letters.Records
            .GroupBy(static d => d.Stage)
            .OrderBy(static g => g.Key, StringComparer.Ordinal)
            .SelectMany(static g => g.Select(d => $"{d.Stage}|{d.Value}|{d.ErrorClass}|{d.Attempts}|{d.Exception.Message}"))
            .ToList();
        return (sink.Records, described, run.Statistics);
    }

    private readonly record struct Item(long Value, int Tag);

    private readonly struct DropMultiplesOf(long divisor) : IFilterOperator<long>
    {
        public bool Include(long value) => value % divisor != 0;
    }

    /// <summary>Adds a constant; throws a data error for values that are 1 modulo <c>failModulo</c> (never when it is 0). The input is checked.</summary>
    private readonly struct AddOrFail(long add, long failModulo) : IMapOperator<long, long>
    {
        public long Map(long value) =>
            failModulo > 0 && value % failModulo == 1 ? throw new DataWeaverException(ErrorClass.Data, $"add {add} failed on {value}") : value + add;
    }

    private readonly struct FailAt(long failing) : IMapOperator<long, long>
    {
        public long Map(long value) => value == failing ? throw new DataWeaverException(ErrorClass.Data, $"failed on {value}") : value;
    }

    private readonly struct ToItem(long failModulo) : IMapOperator<long, Item>
    {
        public Item Map(long value) =>
            failModulo > 0 && value % failModulo == 2 ? throw new DataWeaverException(ErrorClass.Data, $"no item for {value}") : new Item(value, (int)(value % 3));
    }

    private readonly struct TaggedItem : IFilterOperator<Item>
    {
        public bool Include(Item value) => value.Tag != 0;
    }

    private readonly struct FromItem : IMapOperator<Item, long>
    {
        public long Map(Item value) => (value.Value * 3) + value.Tag;
    }
}

internal static class FusedChainTestSteps
{
    /// <summary>Starts a new block before the next step unless the steps are to be fused.</summary>
    public static PipelineBuilder<T> Step<T>(this PipelineBuilder<T> builder, bool fuse, StageOptions stage) => fuse ? builder : builder.Stage(stage);
}
