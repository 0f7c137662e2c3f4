using System.Diagnostics;
using DataWeaver.Hosting;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace DataWeaver.Perf.Harness;

/// <summary>
/// <c>--trace-ratio R</c>: the workloads run with DataWeaver's traces on, as a service would export them (the OpenTelemetry
/// SDK, parent-based sampling with ratio R decided by the engine before the SDK is asked, a batch export processor), with an exporter that drops what it gets, so
/// only the engine's and the SDK's in-process cost is measured.
/// </summary>
internal static class PerfTracing
{
    public static TracerProvider Start(double ratio) =>
        DataWeaverTracerProviderBuilderExtensions.CreateTracerProvider(
            new DataWeaverTracingOptions { SampleRatio = ratio },
            builder => builder.AddProcessor(new BatchActivityExportProcessor(new DiscardingExporter())));

    private sealed class DiscardingExporter : BaseExporter<Activity>
    {
        public long Exported { get; private set; }

        public override ExportResult Export(in Batch<Activity> batch)
        {
            Exported += batch.Count;
            return ExportResult.Success;
        }
    }
}
