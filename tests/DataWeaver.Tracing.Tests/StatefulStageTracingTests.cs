using DataWeaver.AsyncMap;
using DataWeaver.Connectors.Memory;
using DataWeaver.Deduplication;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tracing.Tests.Support;
using DataWeaver.Windowing;

namespace DataWeaver.Tracing.Tests;

/// <summary>Stage spans of the stages that are not fused segments: de-duplication, async map, windows.</summary>
public sealed class StatefulStageTracingTests
{
    [Fact]
    public async Task Run_DeduplicateThenMapAsync_StageSpansUnderTheBatchSpansAndWritesTraced()
    {
        using var spans = new SpanRecorder();
        var upstream = TestRecords.UpstreamContext();
        var sink = new CapturingSink();
        var name = TestRecords.Unique("stateful");
        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([.. Enumerable.Range(0, 300).Select(i => TestRecords.Positioned(i, TestRecords.Headers(upstream)))]), new PipelineOptions { Name = name, BatchSize = 100 })
            .Deduplicate(r => r.Position.Offset % 200, new DeduplicationOptions { Name = "dedup" }) // the third batch repeats the first's keys
            .MapAsync((r, _) => ValueTask.FromResult(r), new AsyncMapOptions { Name = "lookup" })
            .To(sink)
            .Build()
            .RunAsync();
        await spans.WaitForBatchesAsync(name, 300);
        await spans.WaitUntilAsync(s => s.Count(a => a.TraceId == upstream.TraceId) >= 3 + 3 + 2 + 2, TestRecords.Guard);

        var batchIds = spans.Batches(name).Select(b => b.SpanId).ToHashSet();
        Assert.Equal(3, batchIds.Count);
        var trace = spans.Trace(upstream.TraceId);
        var dedup = trace.Where(s => s.OperationName == DataWeaverActivitySource.StageOperation && s.DisplayName == "dedup").ToList();
        Assert.Equal(3, dedup.Count);
        Assert.All(dedup, s => Assert.Contains(s.ParentSpanId, batchIds));
        var lookup = trace.Where(s => s.OperationName == DataWeaverActivitySource.StageOperation && s.DisplayName == "lookup").ToList();
        Assert.Equal(2, lookup.Count); // the third batch was all duplicates: it never reached the async map
        Assert.All(lookup, s => Assert.Contains(s.ParentSpanId, batchIds));
        var writes = trace.Where(s => s.OperationName == DataWeaverActivitySource.WriteOperation).ToList();
        Assert.Equal(2, writes.Count);
        Assert.Equal(200, sink.Sent.Count);
        Assert.All(sink.Sent, s => Assert.Contains(TestRecords.ContextOf(s.Sent).SpanId, writes.Select(w => w.SpanId)));
    }

    [Fact]
    public async Task Run_TumblingWindow_StageSpanPerBatchUnderItsBatchSpan()
    {
        using var spans = new SpanRecorder();
        var upstream = TestRecords.UpstreamContext();
        var sink = new CollectionSink<WindowResult<string>>("windows");
        var name = TestRecords.Unique("window");
        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([.. Enumerable.Range(0, 300).Select(i => TestRecords.Positioned(i, TestRecords.Headers(upstream)))]), new PipelineOptions { Name = name, BatchSize = 100 })
            .TumblingWindow(_ => "all", _ => 1.0, new TumblingWindowOptions { Name = "window", Size = TimeSpan.FromHours(1) })
            .To(sink)
            .Build()
            .RunAsync();
        await spans.WaitForBatchesAsync(name, 300);
        await spans.WaitUntilAsync(s => s.Count(a => a.TraceId == upstream.TraceId && a.DisplayName == "window") >= 3, TestRecords.Guard);

        var batchIds = spans.Batches(name).Select(b => b.SpanId).ToHashSet();
        var windows = spans.Trace(upstream.TraceId).Where(s => s.OperationName == DataWeaverActivitySource.StageOperation && s.DisplayName == "window").ToList();
        Assert.Equal(3, windows.Count);
        Assert.All(windows, s => Assert.Contains(s.ParentSpanId, batchIds));
        Assert.Equal(300, sink.Records.Sum(r => r.Count));
    }
}
