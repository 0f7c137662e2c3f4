using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;

namespace DataWeaver.Tests.Pipelines;

public sealed class SmokeTests
{
    [Fact]
    public async Task RunAsync_MapFilterMap_DeliversEveryKeptRecordInOrder()
    {
        var input = Enumerable.Range(0, 100_000).ToArray();
        var sink = new CollectionSink<long>();
        var pipeline = Pipeline.From(new CollectionSource<int>(input))
            .Map(x => (long)x * 2)
            .Filter(x => x % 3 == 0)
            .Map(x => x + 1)
            .To(sink)
            .Build();

        await pipeline.RunAsync();

        var expected = input.Select(x => (long)x * 2).Where(x => x % 3 == 0).Select(x => x + 1).ToArray();
        Assert.Equal(expected, sink.Records);
    }
}
