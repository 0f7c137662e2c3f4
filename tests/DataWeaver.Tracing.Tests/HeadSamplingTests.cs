using System.Collections.Concurrent;
using System.Diagnostics;
using DataWeaver.Connectors.Memory;
using DataWeaver.Hosting;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tracing.Internal;
using DataWeaver.Tracing.Tests.Support;
using OpenTelemetry;
using OpenTelemetry.Trace;
using RecordBatch = DataWeaver.Internal.Batch<DataWeaver.Records.Record<System.ReadOnlyMemory<byte>>>;

namespace DataWeaver.Tracing.Tests;

/// <summary>
/// The engine's own head sampling (<see cref="DataWeaverActivitySource.SampleRatio"/>): what it keeps, that a batch it
/// drops allocates nothing with OpenTelemetry's SDK listening, and that a tracer provider sets and clears it.
/// </summary>
public sealed class HeadSamplingTests : IDisposable
{
    private const int Batches = 2_000;

    public void Dispose() => DataWeaverActivitySource.SampleRatio = null;

    [Fact]
    public void TracingHooks_UnsampledBatchesWithOpenTelemetryListening_AllocateNothing()
    {
        var unsampled = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, "vendor=upstream", isRemote: true);
        using var provider = DataWeaverTracerProviderBuilderExtensions.CreateTracerProvider(new DataWeaverTracingOptions { SampleRatio = 0 });
        Assert.Equal(0, DataWeaverActivitySource.SampleRatio);

        // A root batch (no context; ratio 0 keeps no new trace) and one whose upstream context was not sampled.
        Assert.Equal(0, AllocatedByTracing(Batch(null)));
        Assert.Equal(0, AllocatedByTracing(Batch(TestRecords.Headers(unsampled))));
    }

    [Fact]
    public void TracingHooks_UnsampledBatchesWithTheListenerDeciding_AllocateAnActivityEach()
    {
        // The check above is sensitive: with the provider's sampler deciding (the engine's head sampling off), the SDK
        // allocates an unrecorded Activity for every batch it drops.
        using var provider = Sdk.CreateTracerProviderBuilder()
            .AddDataWeaverInstrumentation()
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(0)))
            .Build();
        Assert.Null(DataWeaverActivitySource.SampleRatio);

        Assert.True(AllocatedByTracing(Batch(null)) >= Batches * 64L);
    }

    [Fact]
    public async Task Run_HeadSamplingRatioOne_UnsampledParentPassesThroughAndSampledParentTracedWhole()
    {
        using var spans = new SpanRecorder();
        DataWeaverActivitySource.SampleRatio = 1;
        var sampled = TestRecords.UpstreamContext();
        var unsampled = new ActivityContext(ActivityTraceId.CreateRandom(), ActivitySpanId.CreateRandom(), ActivityTraceFlags.None, "vendor=upstream", isRemote: true);
        var sink = new CapturingSink();
        var name = TestRecords.Unique("head");
        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([.. Enumerable.Range(0, 300).Select(i => TestRecords.Positioned(i, TestRecords.Headers(i < 200 ? sampled : unsampled)))]), new PipelineOptions { Name = name, BatchSize = 100 })
            .Map(r => r, "enrich")
            .To(sink)
            .Build()
            .RunAsync();
        await spans.WaitForBatchesAsync(name, 200);

        var batches = spans.Batches(name);
        Assert.Equal(2, batches.Count);
        Assert.All(batches, b => Assert.Equal(sampled.SpanId, b.ParentSpanId));
        var trace = spans.Trace(sampled.TraceId);
        Assert.Equal(2, trace.Count(s => s.OperationName == DataWeaverActivitySource.StageOperation));
        Assert.Equal(2, trace.Count(s => s.OperationName == DataWeaverActivitySource.WriteOperation));
        Assert.Empty(spans.Trace(unsampled.TraceId));
        var sent = sink.Sent;
        Assert.Equal(300, sent.Count);
        Assert.All(sent.Take(200), s => Assert.Equal(sampled.TraceId, TestRecords.ContextOf(s.Sent).TraceId));
        Assert.All(sent.Skip(200), s => Assert.Equal(unsampled, TestRecords.ContextOf(s.Sent))); // unchanged
    }

    [Fact]
    public async Task Run_HeadSamplingHalfOfNewTraces_AboutHalfTheRootBatchesTracedEachWithItsStageAndWrite()
    {
        using var spans = new SpanRecorder(); // keeps every root it is offered: which ones are offered is the engine's choice
        DataWeaverActivitySource.SampleRatio = 0.5;
        var sink = new CapturingSink();
        var name = TestRecords.Unique("half");
        await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([.. Enumerable.Range(0, 40_000).Select(i => TestRecords.Positioned(i, null))]), new PipelineOptions { Name = name, BatchSize = 100 })
            .Map(r => r, "enrich")
            .To(sink)
            .Build()
            .RunAsync();

        // Records of a kept batch leave with its write span's context, the others with none: the sink names the kept traces.
        var traced = sink.Sent.Where(s => s.Sent is not null).ToList();
        var kept = traced.Select(s => TestRecords.ContextOf(s.Sent).TraceId).ToHashSet();
        Assert.Equal(kept.Count * 100, traced.Count);
        Assert.InRange(kept.Count, 140, 260); // 400 batches at 0.5: mean 200, standard deviation 10
        await spans.WaitUntilAsync(s => s.Count(a => kept.Contains(a.TraceId)) == 3 * kept.Count, TestRecords.Guard);
        var batches = spans.Batches(name);
        Assert.Equal(kept, batches.Select(b => b.TraceId).ToHashSet()); // a batch span, a stage and a write per kept batch, no others
        Assert.All(batches, b => Assert.Equal(default, b.ParentSpanId));
    }

    [Fact]
    public async Task CreateTracerProvider_OpenTelemetrySdk_KeepsEngineSampledRootsOnceAndClearsTheRatioOnDispose()
    {
        var exported = new ConcurrentQueue<Activity>();
        var name = TestRecords.Unique("sdk");
        using (var provider = DataWeaverTracerProviderBuilderExtensions.CreateTracerProvider(
            new DataWeaverTracingOptions { SampleRatio = 1 },
            b => b.AddProcessor(new SimpleActivityExportProcessor(new QueueExporter(exported)))))
        {
            Assert.Equal(1, DataWeaverActivitySource.SampleRatio);
            await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>([.. Enumerable.Range(0, 1_000).Select(i => TestRecords.Positioned(i, null))]), new PipelineOptions { Name = name, BatchSize = 100 })
                .To(new CollectionSink<Record<ReadOnlyMemory<byte>>>("out"))
                .Build()
                .RunAsync();
        }

        Assert.Null(DataWeaverActivitySource.SampleRatio); // the provider's life ended: listeners decide again
        // Ratio 1 in both the engine and the provider's sampler: every batch kept (the ratio is not applied twice).
        Assert.Equal(10, exported.Count(a => a.OperationName == DataWeaverActivitySource.BatchOperation && (string?)a.GetTagItem("dataweaver.pipeline") == name));
    }

    [Theory]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "Sampled")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03", "Sampled")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00", "NotSampled")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-02", "NotSampled")]
    [InlineData("00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01", "None")]
    [InlineData("ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", "None")]
    [InlineData("00-00000000000000000000000000000000-b7ad6b7169203331-01", "None")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01", "None")]
    [InlineData("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1", "None")]
    public void PeekSampled_TraceParent_AgreesWithTryGetContext(string traceParent, string flag)
    {
        var expected = Enum.Parse<TraceContextHeaders.SampledFlag>(flag);
        var headers = new RecordHeaders().Add(TraceContextHeaders.TraceParent, traceParent);

        Assert.Equal(expected, TraceContextHeaders.PeekSampled(headers));
        var parsed = TraceContextHeaders.TryGetContext(headers, out var context);
        Assert.Equal(expected != TraceContextHeaders.SampledFlag.None, parsed);
        if (parsed)
        {
            Assert.Equal(expected == TraceContextHeaders.SampledFlag.Sampled, (context.TraceFlags & ActivityTraceFlags.Recorded) != 0);
        }
    }

    /// <summary>
    /// Bytes this thread allocates in the engine's per-batch tracing hooks (the batch span at the source, a stage span,
    /// a write span) over <see cref="Batches"/> calls each, after a warm-up (JIT, statics).
    /// </summary>
    private static long AllocatedByTracing(RecordBatch batch)
    {
        var write = BatchTracing.TraceWrites<Record<ReadOnlyMemory<byte>>>(static _ => Task.CompletedTask, "out");
        Run(10);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Run(Batches);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        batch.Release();
        return allocated;

        void Run(int times)
        {
            for (var i = 0; i < times; i++)
            {
                Assert.True(BatchTracing.Enabled);
                BatchTracing.OnRead(batch, "alloc", "in");
                Assert.Null(batch.FindSpan());
                Assert.Null(BatchTracing.StartStage(batch, "enrich"));
                Assert.True(write(batch).IsCompletedSuccessfully);
            }
        }
    }

    private static RecordBatch Batch(RecordHeaders? headers)
    {
        var batch = RecordBatch.Rent(1_024);
        for (var i = 0; i < 1_024; i++)
        {
            batch.Add(TestRecords.Positioned(i, headers));
        }

        return batch;
    }

    private sealed class QueueExporter(ConcurrentQueue<Activity> queue) : BaseExporter<Activity>
    {
        public override ExportResult Export(in OpenTelemetry.Batch<Activity> batch)
        {
            foreach (var activity in batch)
            {
                queue.Enqueue(activity);
            }

            return ExportResult.Success;
        }
    }
}
