using System.Text;
using DataWeaver.Connectors.Memory;
using DataWeaver.Diagnostics;
using DataWeaver.Hosting.Tests.Support;
using DataWeaver.Pipelines;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;

namespace DataWeaver.Hosting.Tests;

public sealed class OpenTelemetryTests
{
    [Fact]
    public async Task AddDataWeaverInstrumentation_PipelineRun_ExportsCountersHistogramAndGaugesThroughTheSdk()
    {
        var name = "otel-" + Guid.NewGuid().ToString("N");
        var exporter = new CapturingExporter(name);
        var pipeline = Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 5_000).ToArray()), new PipelineOptions { Name = name, BatchSize = 500 })
            .Filter(x => x % 5 != 0)
            .To(new CollectionSink<int>("kept"))
            .Build();
        using (var provider = Sdk.CreateMeterProviderBuilder()
            .AddDataWeaverInstrumentation()
            .AddReader(new BaseExportingMetricReader(exporter) { TemporalityPreference = MetricReaderTemporalityPreference.Cumulative })
            .Build())
        {
            await pipeline.RunAsync();
            provider.ForceFlush();
        }

        Assert.Equal(5_000, exporter.Sums[DataWeaverInstruments.RecordsIn]);
        Assert.Equal(4_000, exporter.Sums[DataWeaverInstruments.RecordsOut]);
        Assert.Equal(10, exporter.HistogramCounts[DataWeaverInstruments.Latency]); // one per source batch
        Assert.Equal(0.0005, exporter.FirstBucketBounds[DataWeaverInstruments.Latency]); // the advice's boundaries, in seconds
        Assert.Equal("s", exporter.Units[DataWeaverInstruments.Latency]);
        Assert.Equal(1, exporter.States["completed"]); // the state gauge outlives the run while its pipeline lives
        Assert.Equal(0, exporter.States["running"]);
        GC.KeepAlive(pipeline);
    }

    [Fact]
    public async Task ExportMetrics_WithOtlpExporterOverHttp_PostsDataWeaverMetricsWhenTheHostStops()
    {
        using var collector = new OtlpReceiver();
        var name = "otlp-" + Guid.NewGuid().ToString("N");
        using var host = TestHost.Build(b => b
            .AddPipeline(name, _ => Pipeline.From(new CollectionSource<int>(Enumerable.Range(0, 1_000).ToArray()), new PipelineOptions { Name = name }).To(new CollectionSink<int>()).Build())
            .ExportMetrics(metrics => metrics.AddOtlpExporter(otlp =>
            {
                otlp.Endpoint = collector.Endpoint;
                otlp.Protocol = OtlpExportProtocol.HttpProtobuf;
            })));

        await host.RunToEndAsync(); // the meter provider is disposed after the pipelines stopped: it exports what is left

        var post = Assert.Single(collector.Posts, p => Encoding.UTF8.GetString(p.Body).Contains(name, StringComparison.Ordinal));
        Assert.Equal("/v1/metrics", post.Path);
        var body = Encoding.UTF8.GetString(post.Body); // protobuf strings travel as UTF-8
        Assert.Contains(DataWeaverMeter.Name, body, StringComparison.Ordinal);
        Assert.Contains(DataWeaverInstruments.RecordsIn, body, StringComparison.Ordinal);
        Assert.Contains(DataWeaverInstruments.RecordsOut, body, StringComparison.Ordinal);
        Assert.Contains(DataWeaverInstruments.Latency, body, StringComparison.Ordinal);
    }

    /// <summary>Copies what each export holds for one pipeline (the SDK reuses its batches).</summary>
    private sealed class CapturingExporter(string pipeline) : BaseExporter<Metric>
    {
        public Dictionary<string, long> Sums { get; } = [];

        public Dictionary<string, long> HistogramCounts { get; } = [];

        public Dictionary<string, long> States { get; } = [];

        public Dictionary<string, double> FirstBucketBounds { get; } = [];

        public Dictionary<string, string> Units { get; } = [];

        public override ExportResult Export(in Batch<Metric> batch)
        {
            foreach (var metric in batch)
            {
                Units[metric.Name] = metric.Unit;
                foreach (ref readonly var point in metric.GetMetricPoints())
                {
                    var ours = false;
                    foreach (var tag in point.Tags)
                    {
                        ours |= tag.Key == DataWeaverTags.Pipeline && (string?)tag.Value == pipeline;
                    }

                    if (!ours)
                    {
                        continue;
                    }

                    if (metric.MetricType == MetricType.LongSum)
                    {
                        Sums[metric.Name] = point.GetSumLong(); // cumulative: the last export has the total
                    }
                    else if (metric.MetricType == MetricType.LongGauge)
                    {
                        foreach (var tag in point.Tags)
                        {
                            if (tag.Key == DataWeaverTags.State)
                            {
                                States[(string)tag.Value!] = point.GetGaugeLastValueLong();
                            }
                        }
                    }
                    else if (metric.MetricType == MetricType.Histogram)
                    {
                        HistogramCounts[metric.Name] = point.GetHistogramCount();
                        foreach (var bucket in point.GetHistogramBuckets())
                        {
                            FirstBucketBounds[metric.Name] = bucket.ExplicitBound;
                            break;
                        }
                    }
                }
            }

            return ExportResult.Success;
        }
    }
}
