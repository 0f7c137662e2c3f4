using System.Diagnostics;
using DataWeaver.Records;

namespace DataWeaver.Tracing.Tests.Support;

internal static class TraceAssert
{
    /// <summary>Waits until the batch spans of <paramref name="pipeline"/> account for <paramref name="records"/> records (a batch span stops once its records are acknowledged).</summary>
    public static Task WaitForBatchesAsync(this SpanRecorder spans, string pipeline, int records) =>
        spans.WaitUntilAsync(_ => spans.Batches(pipeline).Sum(b => (int)b.GetTagItem(DataWeaverActivitySource.RecordCountTag)!) >= records, TestRecords.Guard);

    /// <summary>
    /// One trace from <paramref name="upstream"/> through <paramref name="first"/> (source, a stage, a sink writing to a
    /// broker) and on into <paramref name="second"/>, whose records arrived with <paramref name="arrived"/> headers:
    /// the first pipeline's batches are children of the upstream span, its stage and write spans children of its batches;
    /// every record that arrived carries a write span's context; the second pipeline's batches are children of a write
    /// span and link the other write spans their records came from, and together name exactly those write spans.
    /// </summary>
    public static void FollowedThroughTwoPipelines(SpanRecorder spans, ActivityContext upstream, string first, string second, IReadOnlyCollection<RecordHeaders?> arrived)
    {
        var firstBatches = spans.Batches(first);
        Assert.NotEmpty(firstBatches);
        Assert.All(firstBatches, batch =>
        {
            Assert.Equal(upstream.TraceId, batch.TraceId);
            Assert.Equal(upstream.SpanId, batch.ParentSpanId);
            Assert.Equal(ActivityKind.Consumer, batch.Kind);
            Assert.Empty(batch.Links); // every record carried the same context: the parent
        });
        var firstIds = firstBatches.Select(b => b.SpanId).ToHashSet();
        var trace = spans.Trace(upstream.TraceId);
        var stages = trace.Where(a => a.OperationName == DataWeaverActivitySource.StageOperation && firstIds.Contains(a.ParentSpanId)).ToList();
        Assert.Equal(firstBatches.Count, stages.Count); // one stage span per batch
        var writes = trace.Where(a => a.OperationName == DataWeaverActivitySource.WriteOperation && firstIds.Contains(a.ParentSpanId)).ToList();
        Assert.NotEmpty(writes);
        Assert.All(writes, w => Assert.Equal(ActivityKind.Producer, w.Kind));
        var writeIds = writes.Select(w => w.SpanId).ToHashSet();

        var carried = arrived.Select(TestRecords.ContextOf).ToList();
        Assert.All(carried, context =>
        {
            Assert.Equal(upstream.TraceId, context.TraceId);
            Assert.Contains(context.SpanId, writeIds);
        });

        var secondBatches = spans.Batches(second);
        Assert.NotEmpty(secondBatches);
        Assert.All(secondBatches, batch =>
        {
            Assert.Equal(upstream.TraceId, batch.TraceId);
            Assert.Contains(batch.ParentSpanId, writeIds);
            Assert.All(batch.Links, link => Assert.Contains(link.Context.SpanId, writeIds));
            Assert.DoesNotContain(batch.ParentSpanId, batch.Links.Select(l => l.Context.SpanId));
        });
        Assert.Equal(
            carried.Select(c => c.SpanId).ToHashSet(),
            secondBatches.SelectMany(b => b.Links.Select(l => l.Context.SpanId).Append(b.ParentSpanId)).ToHashSet());
    }
}
