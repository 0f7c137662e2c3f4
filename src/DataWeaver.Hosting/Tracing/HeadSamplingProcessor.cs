using System.Diagnostics;
using DataWeaver.Tracing;
using OpenTelemetry;

namespace DataWeaver.Hosting;

/// <summary>
/// Ties the engine's head sampling (<see cref="DataWeaverActivitySource.SampleRatio"/>) to a tracer provider's life: set
/// when the provider is built, cleared when it shuts down, so a provider built later decides with its own sampler.
/// Sees only kept spans, and does nothing with them.
/// </summary>
internal sealed class HeadSamplingProcessor : BaseProcessor<Activity>
{
    public HeadSamplingProcessor(double sampleRatio) => DataWeaverActivitySource.SampleRatio = sampleRatio;

    protected override bool OnShutdown(int timeoutMilliseconds)
    {
        DataWeaverActivitySource.SampleRatio = null;
        return true;
    }
}
