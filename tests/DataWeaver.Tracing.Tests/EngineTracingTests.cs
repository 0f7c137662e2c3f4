using System.Diagnostics;
using DataWeaver.Connectors.Memory;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tracing.Tests.Support;

namespace DataWeaver.Tracing.Tests;

/// <summary>The engine's spans and what a sink sends, with in-memory connectors: parents, links, sampling, ambient activities.</summary>
public sealed class EngineTracingTests
{
    [Fact]
    public async Task Run_BatchOfRecordsFromTwoTraces_ParentIsFirstRecordsContextOtherTraceLinkedAndKeptOnItsRecords()
    {
        using var spans = new SpanRecorder();
        var a = TestRecords.UpstreamContext();
        var b = TestRecords.UpstreamContext();
        var records = Enumerable.Range(0, 200).Select(i => TestRecords.Positioned(i, TestRecords.Headers(i < 100 ? a : b))).ToArray();
        var sink = new CapturingSink();
        var name = TestRecords.Unique("mixed");
        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { Name = name, BatchSize = 200 })
            .Map(r => r, "enrich")
            .To(sink)
            .Build()
            .RunAsync();
        await spans.WaitForBatchesAsync(name, 200);

        var batch = Assert.Single(spans.Batches(name));
        Assert.Equal(a.TraceId, batch.TraceId);
        Assert.Equal(a.SpanId, batch.ParentSpanId);
        Assert.Equal(name + " batch", batch.DisplayName);
        var link = Assert.Single(batch.Links);
        Assert.Equal(b, link.Context); // trace id, span id, flags and tracestate of the other trace
        var stage = Assert.Single(spans.Trace(a.TraceId), s => s.OperationName == DataWeaverActivitySource.StageOperation);
        Assert.Equal(batch.SpanId, stage.ParentSpanId);
        Assert.Equal("enrich", stage.DisplayName);
        var write = Assert.Single(spans.Trace(a.TraceId), s => s.OperationName == DataWeaverActivitySource.WriteOperation);
        Assert.Equal(batch.SpanId, write.ParentSpanId);
        Assert.Equal("capture write", write.DisplayName);

        // Records of the batch's trace leave with the write span's context; the other trace's keep their own.
        var sent = sink.Sent;
        Assert.Equal(200, sent.Count);
        Assert.All(sent.Take(100), s =>
        {
            var context = TestRecords.ContextOf(s.Sent);
            Assert.Equal(write.TraceId, context.TraceId);
            Assert.Equal(write.SpanId, context.SpanId);
            Assert.Equal("vendor=upstream", context.TraceState);
        });
        Assert.All(sent.Skip(100), s => Assert.Equal(b, TestRecords.ContextOf(s.Sent)));
        Assert.All(sent, s => Assert.Single(s.Sent!, h => h.Name == TraceContextHeaders.TraceParent));
    }

    [Fact]
    public async Task Run_ParentNotSampled_NoSpansAndRecordsLeaveWithTheirOwnContext()
    {
        using var spans = new SpanRecorder();
        var unsampled = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, "vendor=upstream", isRemote: true);
        var sink = new CapturingSink();
        var name = TestRecords.Unique("unsampled");
        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([.. Enumerable.Range(0, 300).Select(i => TestRecords.Positioned(i, TestRecords.Headers(unsampled)))]), new PipelineOptions { Name = name, BatchSize = 100 })
            .Map(r => r, "enrich")
            .To(sink)
            .Build()
            .RunAsync();

        Assert.Empty(spans.Batches(name));
        Assert.Empty(spans.Trace(unsampled.TraceId));
        Assert.All(sink.Sent, s => Assert.Equal(unsampled, TestRecords.ContextOf(s.Sent)));
    }

    [Fact]
    public async Task Run_RecordsWithoutContextRootsNotSampled_NoSpansAndNoContextWritten()
    {
        using var spans = new SpanRecorder(sampleRoots: false);
        var sink = new CapturingSink();
        var name = TestRecords.Unique("roots");
        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([.. Enumerable.Range(0, 300).Select(i => TestRecords.Positioned(i, null))]), new PipelineOptions { Name = name, BatchSize = 100 })
            .To(sink)
            .Build()
            .RunAsync();

        Assert.Empty(spans.Batches(name));
        Assert.All(sink.Sent, s => Assert.Null(s.Sent));
    }

    [Fact]
    public async Task Run_StartedInsideAnApplicationActivity_BatchesStartTracesOfTheirOwnAndTheAmbientContextIsNotSent()
    {
        using var spans = new SpanRecorder();
        using var application = new ActivitySource("DataWeaver.Tracing.Tests.Application");
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s == application,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
        };
        ActivitySource.AddActivityListener(listener);
        var sink = new CapturingSink();
        var name = TestRecords.Unique("ambient");
        PipelineRun run;
        ActivityTraceId ambient;
        using (var request = application.StartActivity("request"))
        {
            ambient = request!.TraceId;
            run = Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([.. Enumerable.Range(0, 300).Select(i => TestRecords.Positioned(i, null))]), new PipelineOptions { Name = name, BatchSize = 100 })
                .To(sink)
                .Build()
                .Start();
        }

        await run.Completion;
        await spans.WaitForBatchesAsync(name, 300);

        var batches = spans.Batches(name);
        Assert.Equal(3, batches.Count);
        Assert.All(batches, b =>
        {
            Assert.Equal(default, b.ParentSpanId); // a root: not a child of the request the run was started in
            Assert.NotEqual(ambient, b.TraceId);
        });
        Assert.Equal(3, batches.Select(b => b.TraceId).Distinct().Count());
        Assert.All(sink.Sent, s => Assert.Contains(TestRecords.ContextOf(s.Sent).TraceId, batches.Select(b => b.TraceId)));
    }
}
