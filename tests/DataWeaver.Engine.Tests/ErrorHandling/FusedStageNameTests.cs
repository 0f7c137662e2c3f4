using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Pipelines;
using DataWeaver.Pipelines.ErrorHandling;

namespace DataWeaver.Tests.ErrorHandling;

/// <summary>Issue 10, found bug 9: a fatal error in a fused stage was reported under the block's first operator ("decode:json").</summary>
public sealed class FusedStageNameTests
{
    [Fact]
    public async Task Completion_FatalErrorInTheSecondFusedOperatorUnderADeadLetterPolicy_NamesThatOperator()
    {
        var boom = new DataWeaverException(ErrorClass.Fatal, "cannot go on");
        var letters = new CollectionSink<DeadLetter>();
        var run = Pipeline.From(new CollectionSource<int>([1, 2, 3]))
            .Map(static x => x + 1, "decode:json")
            .Map(x => x == 3 ? throw boom : x, "cast v:double#1")
            .OnError(e => e.DeadLetterTo(letters))
            .To(new CollectionSink<int>())
            .Build()
            .Start();

        var thrown = await Assert.ThrowsAsync<DataWeaverException>(() => run.Completion);

        Assert.Same(boom, thrown);
        Assert.Equal("cast v:double#1", boom.Data["DataWeaver.Stage"]);
        Assert.Empty(letters.Records); // fatal: the run stops, nothing is dead-lettered
    }
}
