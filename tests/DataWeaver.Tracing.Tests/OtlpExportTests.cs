using System.Diagnostics;
using DataWeaver.Connectors.Memory;
using DataWeaver.Hosting;
using DataWeaver.Pipelines;
using DataWeaver.Records;
using DataWeaver.Tracing.Tests.Support;
using Google.Protobuf;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Trace;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DataWeaver.Tracing.Tests;

/// <summary>ExportTraces in a Generic Host: OTLP/HTTP protobuf to a real receiver, sampled parent-based with a ratio.</summary>
public sealed class OtlpExportTests
{
    [Fact]
    public async Task ExportTraces_HostedPipelineRatioZero_PostsProtobufSpansOfSampledParentsOnlyWhenTheHostStops()
    {
        await using var collector = await OtlpTraceReceiver.StartAsync();
        var upstream = TestRecords.UpstreamContext();
        var name = TestRecords.Unique("otlp");

        // Batches of 100: the first five carry a sampled upstream context, the last five none. With a ratio of 0, only
        // the first five are sampled (parent-based): a new trace is never started.
        var records = Enumerable.Range(0, 1_000).Select(i => TestRecords.Record(i, i < 500 ? TestRecords.Headers(upstream) : null)).ToArray();
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        // snippet: tracing-hosting
        builder.Services.AddDataWeaver(dw => dw
            .AddPipeline(name, _ => Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { Name = name, BatchSize = 100 })
                .Map(r => r, "enrich")
                .To(new CollectionSink<Record<ReadOnlyMemory<byte>>>("out"))
                .Build())
            .ExportTraces(new DataWeaverTracingOptions
            {
                OtlpEndpoint = collector.Endpoint,   // e.g. http://otel-collector:4318 (/v1/traces is added)
                SampleRatio = 0,                     // new traces: none; records with a sampled traceparent: all
                ServiceName = "tracing-tests",
            }));
        // end snippet
        using (var host = builder.Build())
        {
            await host.StartAsync();
            await host.Services.GetRequiredService<HostedPipelines>().WhenAllEnded();
            await host.StopAsync(); // the tracer provider is disposed after the pipelines drained: it exports what is left
        }

        Assert.NotEmpty(collector.Posts);
        Assert.All(collector.Posts, p => Assert.Equal("application/x-protobuf", p.ContentType));
        var spans = collector.Spans.Where(s => s.Span.TraceId == ByteString.CopyFrom(TraceIdBytes(upstream.TraceId))).ToList();
        Assert.All(spans, s => Assert.Equal(DataWeaverActivitySource.Name, s.Scope));
        var batches = spans.Where(s => s.Span.Name == name + " batch").Select(s => s.Span).ToList();
        Assert.Equal(5, batches.Count); // the five batches with a sampled parent, none of the five without
        Assert.All(batches, b =>
        {
            Assert.Equal(Otlp.SpanKind.Consumer, b.Kind);
            Assert.Equal(ByteString.CopyFrom(SpanIdBytes(upstream.SpanId)), b.ParentSpanId);
            Assert.Contains(b.Attributes, a => a.Key == "dataweaver.pipeline" && a.Value.StringValue == name);
            Assert.Contains(b.Attributes, a => a.Key == DataWeaverActivitySource.RecordCountTag && a.Value.IntValue == 100);
        });
        var batchIds = batches.Select(b => b.SpanId).ToHashSet();
        Assert.Equal(5, spans.Count(s => s.Span.Name == "enrich" && s.Span.Kind == Otlp.SpanKind.Internal && batchIds.Contains(s.Span.ParentSpanId)));
        Assert.Equal(5, spans.Count(s => s.Span.Name == "out write" && s.Span.Kind == Otlp.SpanKind.Producer && batchIds.Contains(s.Span.ParentSpanId)));
        Assert.Equal(15, spans.Count);
        Assert.DoesNotContain(collector.Spans, s => s.Span.Name == name + " batch" && !batchIds.Contains(s.Span.SpanId));
        var resource = collector.Posts.SelectMany(p => p.Request.ResourceSpans).First().Resource;
        Assert.Contains(resource.Attributes, a => a.Key == "service.name" && a.Value.StringValue == "tracing-tests");
    }

    [Fact]
    public async Task AddDataWeaverInstrumentation_ApplicationTracerProvider_ExportsTheEngineSpansWithTheApplicationsSampler()
    {
        await using var collector = await OtlpTraceReceiver.StartAsync();
        var name = TestRecords.Unique("provider");
        var records = Enumerable.Range(0, 300).Select(i => TestRecords.Record(i, null)).ToArray();

        // snippet: tracing-tracerprovider
        using (var tracerProvider = Sdk.CreateTracerProviderBuilder()
            .AddDataWeaverInstrumentation()
            .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(1.0)))
            .AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = new Uri(collector.Endpoint, "/v1/traces");
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build())
        {
            await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { Name = name, BatchSize = 100 })
                .To(new CollectionSink<Record<ReadOnlyMemory<byte>>>("out"))
                .Build()
                .RunAsync();
        } // disposing the provider exports what is buffered
        // end snippet

        var batches = collector.Spans.Where(s => s.Span.Name == name + " batch").Select(s => s.Span).ToList();
        Assert.Equal(3, batches.Count); // ratio 1: every batch without a context starts a trace of its own
        Assert.Equal(3, batches.Select(b => b.TraceId).Distinct().Count());
        Assert.All(batches, b => Assert.True(b.ParentSpanId.IsEmpty));
        var ids = batches.Select(b => b.SpanId).ToHashSet();
        Assert.Equal(3, collector.Spans.Count(s => s.Span.Name == "out write" && ids.Contains(s.Span.ParentSpanId)));
    }

    [Fact]
    public async Task AddDataWeaverInstrumentationWithRatio_ApplicationTracerProvider_EngineDecidesItsBatchesTheApplicationsSamplerTheRest()
    {
        await using var collector = await OtlpTraceReceiver.StartAsync();
        using var application = new ActivitySource("DataWeaver.Tracing.Tests.OwnSpans");
        var name = TestRecords.Unique("head");
        var records = Enumerable.Range(0, 300).Select(i => TestRecords.Record(i, null)).ToArray();

        // snippet: tracing-tracerprovider-head
        using (var tracerProvider = Sdk.CreateTracerProviderBuilder()
            .AddSource(application.Name)
            .AddDataWeaverInstrumentation(sampleRatio: 1.0) // the engine keeps this share of new traces, unsampled batches cost nothing
            .SetSampler(new ParentBasedSampler(new DataWeaverSampler(new TraceIdRatioBasedSampler(0.0)))) // your own spans: your ratio
            .AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = new Uri(collector.Endpoint, "/v1/traces");
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            })
            .Build())
        {
            await Pipeline.From(new CollectionSource<Record<ReadOnlyMemory<byte>>>(records), new PipelineOptions { Name = name, BatchSize = 100 })
                .To(new CollectionSink<Record<ReadOnlyMemory<byte>>>("out"))
                .Build()
                .RunAsync();
            using var own = application.StartActivity("own"); // a new trace of the application's: its ratio, 0, drops it
        } // disposing the provider exports what is buffered and hands sampling back to the listeners
        // end snippet

        Assert.Null(DataWeaverActivitySource.SampleRatio);
        var batches = collector.Spans.Where(s => s.Span.Name == name + " batch").Select(s => s.Span).ToList();
        Assert.Equal(3, batches.Count); // the engine's ratio 1, not multiplied by the provider's 0
        var ids = batches.Select(b => b.SpanId).ToHashSet();
        Assert.Equal(3, collector.Spans.Count(s => s.Span.Name == "out write" && ids.Contains(s.Span.ParentSpanId)));
        Assert.DoesNotContain(collector.Spans, s => s.Span.Name == "own");
    }

    [Fact]
    public void Validate_RatioOutOfRangeAndRelativeEndpoint_ListsBothFailures()
    {
        var error = Assert.Throws<ArgumentException>(() => new DataWeaverTracingOptions { SampleRatio = 1.5, OtlpEndpoint = new Uri("/v1/traces", UriKind.Relative) }.Validate());
        Assert.Contains("SampleRatio", error.Message, StringComparison.Ordinal);
        Assert.Contains("OtlpEndpoint", error.Message, StringComparison.Ordinal);
        Assert.Equal(new Uri("http://collector:4318/v1/traces"), new DataWeaverTracingOptions { OtlpEndpoint = new Uri("http://collector:4318") }.TracesEndpoint());
        Assert.Equal(new Uri("http://collector:4318/custom"), new DataWeaverTracingOptions { OtlpEndpoint = new Uri("http://collector:4318/custom") }.TracesEndpoint());
    }

    private static byte[] TraceIdBytes(ActivityTraceId id)
    {
        var bytes = new byte[16];
        id.CopyTo(bytes);
        return bytes;
    }

    private static byte[] SpanIdBytes(ActivitySpanId id)
    {
        var bytes = new byte[8];
        id.CopyTo(bytes);
        return bytes;
    }
}
