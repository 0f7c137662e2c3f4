using DataWeaver.Connectors.Generator;
using DataWeaver.Connectors.Memory;
using DataWeaver.Errors;
using DataWeaver.Lifecycle;
using DataWeaver.Pipelines;
using DataWeaver.Records;

namespace DataWeaver.Tests.Docs;

/// <summary>The examples of docs/pipelines.md, run as tests.</summary>
public sealed class PipelineDocsExamples
{
    public sealed record Click(string User, string Page, long At);

    [Fact]
    public async Task ParallelByKey_Example_KeepsEachUsersClicksInOrder()
    {
        var clicks = Enumerable.Range(0, 20_000).Select(i => new Click($"user-{i % 50}", $"/p/{i}", i)).ToArray();
        var sink = new CollectionSink<Click>();

        // snippet: pipelines-by-key
        var pipeline = Pipeline.From(new CollectionSource<Click>(clicks))
            .ParallelByKey(4, click => click.User)    // 4 lanes; one user's clicks always take the same lane
            .Map(click => click with { Page = click.Page.ToUpperInvariant() })
            .To(sink)
            .Build();
        await pipeline.RunAsync();
        // end snippet

        foreach (var user in sink.Records.GroupBy(c => c.User))
        {
            Assert.Equal(clicks.Where(c => c.User == user.Key).Select(c => c.At), user.Select(c => c.At));
        }
    }

    [Fact]
    public async Task Route_Example_SplitsByCondition()
    {
        var errors = new CollectionSink<string>("errors");
        var warnings = new CollectionSink<string>("warnings");
        var others = new CollectionSink<string>("others");
        string[] lines = ["ERROR disk", "WARN cpu", "INFO ok", "ERROR net"];

        // snippet: pipelines-route
        var pipeline = Pipeline.From(new CollectionSource<string>(lines))
            .Route(route => route
                .When(line => line.StartsWith("ERROR", StringComparison.Ordinal), branch => branch.To(errors))
                .When(line => line.StartsWith("WARN", StringComparison.Ordinal), branch => branch.To(warnings))
                .Otherwise(branch => branch.Map(line => line.ToLowerInvariant()).To(others)))
            .Build();
        await pipeline.RunAsync();
        // end snippet

        Assert.Equal(["ERROR disk", "ERROR net"], errors.Records);
        Assert.Equal(["WARN cpu"], warnings.Records);
        Assert.Equal(["info ok"], others.Records);
    }

    [Fact]
    public async Task Broadcast_Example_SendsEveryRecordToEveryBranch()
    {
        var archive = new CollectionSink<int>("archive");
        var alerts = new CollectionSink<string>("alerts");

        // snippet: pipelines-broadcast
        var pipeline = Pipeline.From(new CollectionSource<int>([5, 50, 500]))
            .Broadcast(
                all => all.To(archive),
                high => high.Filter(x => x >= 100).Map(x => $"high: {x}").To(alerts))
            .Build();
        await pipeline.RunAsync();
        // end snippet

        Assert.Equal([5, 50, 500], archive.Records);
        Assert.Equal(["high: 500"], alerts.Records);
    }

    [Fact]
    public async Task Lifecycle_Example_StopDrainsAndCommits()
    {
        var sink = new CollectionSink<long>();

        // snippet: pipelines-lifecycle
        var source = new GeneratorSource<long>(n => n);          // endless
        var run = Pipeline.From(source, new PipelineOptions { MaxInFlightRecords = 8_192 })
            .Map(n => n * 2)
            .To(sink)
            .Build()
            .Start();

        while (run.Statistics.RecordsWritten < 10_000)
        {
            await Task.Delay(10);                                // let it run a little
        }

        await run.StopAsync();                                   // drain: stop reading, deliver what was read, commit

        Console.WriteLine($"{run.State}: read {run.Statistics.RecordsRead}, wrote {run.Statistics.RecordsWritten}");
        Console.WriteLine($"acknowledged up to {run.AcknowledgedPositions[0]}");
        // end snippet

        Assert.Equal(PipelineState.Stopped, run.State);
        Assert.Equal(run.Statistics.RecordsRead, sink.Count);
        Assert.Equal(new SourcePosition(0, sink.Count), run.AcknowledgedPositions[0]);
    }

    [Fact]
    public void Validation_Example_ListsEveryProblem()
    {
        // snippet: pipelines-validation
        try
        {
            Pipeline.From(new CollectionSource<int>([1, 2, 3]))
                .Parallel(1_000)
                .Map(x => x + 1)
                .Build();
        }
        catch (PipelineConfigurationException e)
        {
            Console.WriteLine(e.Message);
            // Invalid pipeline (2 problems):
            //   - pipeline 'pipeline': Stage 'parallel1': DegreeOfParallelism must be from 1 to 256 (was 1000).
            //   - pipeline 'pipeline': the branch ending at stage 'map2' has no sink: end it with To(sink).
        }
        // end snippet

        var error = Assert.Throws<PipelineConfigurationException>(() =>
            Pipeline.From(new CollectionSource<int>([1, 2, 3])).Parallel(1_000).Map(x => x + 1).Build());
        Assert.Equal(
            [
                "pipeline 'pipeline': Stage 'parallel1': DegreeOfParallelism must be from 1 to 256 (was 1000).",
                "pipeline 'pipeline': the branch ending at stage 'map2' has no sink: end it with To(sink).",
            ],
            error.Errors);
    }

    // snippet: pipelines-struct-operator
    public readonly struct TimesTwo : IMapOperator<long, long>
    {
        public long Map(long value) => value * 2;
    }

    public readonly struct IsEven : IFilterOperator<long>
    {
        public bool Include(long value) => (value & 1) == 0;
    }
    // end snippet

    [Fact]
    public async Task StructOperators_Example_GiveTheSameResultAsLambdas()
    {
        var sink = new CollectionSink<long>();
        var source = new CollectionSource<long>([.. Enumerable.Range(0, 1_000).Select(i => (long)i)]);

        // snippet: pipelines-struct-usage
        var pipeline = Pipeline.From(source)
            .Filter(new IsEven())
            .Map<long, TimesTwo>(new TimesTwo())
            .To(sink)
            .Build();
        // end snippet
        await pipeline.RunAsync();

        Assert.Equal(Enumerable.Range(0, 1_000).Where(i => i % 2 == 0).Select(i => i * 2L), sink.Records);
    }
}
