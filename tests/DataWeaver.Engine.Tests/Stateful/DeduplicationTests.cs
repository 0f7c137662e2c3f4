using System.Threading.Channels;
using DataWeaver.Connectors.Memory;
using DataWeaver.Deduplication;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tests.Pipelines;
using DataWeaver.Tests.Support;

namespace DataWeaver.Tests.Stateful;

public sealed class DeduplicationTests
{
    [Fact]
    public async Task Deduplicate_WithinTimeToLive_DropsDuplicatesAndAcknowledgesThem()
    {
        var clock = new ManualTimeProvider();
        var channel = Channel.CreateUnbounded<string>();
        var sink = new CollectionSink<string>();
        var run = Pipeline.From(new ChannelSource<string>(channel.Reader), new PipelineOptions { TimeProvider = clock })
            .Deduplicate(id => id, new DeduplicationOptions { TimeToLive = TimeSpan.FromMinutes(5) })
            .To(sink)
            .Build()
            .Start();

        foreach (var id in new[] { "a", "b", "a", "c", "b" })
        {
            await channel.Writer.WriteAsync(id);
        }

        await LifecycleTests.WaitUntil(() => run.Statistics.RecordsRead == 5 && sink.Records.Count == 3);

        // Four minutes on, a, b and c are still remembered; at five minutes they are forgotten.
        clock.Advance(TimeSpan.FromMinutes(4));
        await channel.Writer.WriteAsync("a");
        await LifecycleTests.WaitUntil(() => run.Statistics.RecordsRead == 6);
        clock.Advance(TimeSpan.FromMinutes(1));
        foreach (var id in new[] { "a", "a", "d" })
        {
            await channel.Writer.WriteAsync(id);
        }

        channel.Writer.Complete();
        await run.Completion;

        Assert.Equal(["a", "b", "c", "a", "d"], sink.Records);
        Assert.Equal(4, run.Statistics.RecordsFiltered);
        Assert.Equal(new SourcePosition(0, 9), Assert.Single(run.AcknowledgedPositions));
    }

    [Fact]
    public async Task Deduplicate_AtMaxKeys_ForgetsTheKeyRememberedLongest()
    {
        var sink = new CollectionSink<int>();

        await Pipeline.From(new CollectionSource<int>([1, 2, 3, 1, 3, 2]))
            .Deduplicate(id => id, new DeduplicationOptions { MaxKeys = 2 })
            .To(sink)
            .Build()
            .RunAsync();

        // 3 evicts 1, so the second 1 passes (and evicts 2, so the second 2 passes); 3 stays remembered.
        Assert.Equal([1, 2, 3, 1, 2], sink.Records);
    }

    [Fact]
    public void Deduplicate_InvalidOptions_BuildListsEveryProblem()
    {
        var error = Assert.Throws<PipelineConfigurationException>(() => Pipeline.From(new CollectionSource<int>([1]))
            .Deduplicate(id => id, new DeduplicationOptions { TimeToLive = TimeSpan.Zero, MaxKeys = 0, Name = "once" })
            .To(new CollectionSink<int>())
            .Build());
        Assert.Contains("Stage 'once': TimeToLive must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("Stage 'once': MaxKeys must be from 1 to 100000000 (was 0).", error.Message, StringComparison.Ordinal);
    }
}
