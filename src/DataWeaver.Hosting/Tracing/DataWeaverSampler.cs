using DataWeaver.Tracing;
using OpenTelemetry.Trace;

namespace DataWeaver.Hosting;

/// <summary>
/// A root sampler that keeps the batch spans DataWeaver's own head sampling already kept
/// (<see cref="DataWeaverActivitySource.SampleRatio"/>) and asks <c>inner</c> about every other new trace. Put it under a
/// <see cref="ParentBasedSampler"/>: <c>new ParentBasedSampler(new DataWeaverSampler(new TraceIdRatioBasedSampler(0.1)))</c>.
/// Without it, a ratio sampler on the provider would apply its ratio a second time to the batches the engine kept.
/// </summary>
/// <remarks>
/// While <see cref="DataWeaverActivitySource.SampleRatio"/> is <see langword="null"/> (the listener decides), the engine
/// offers every batch and this sampler asks <c>inner</c> about DataWeaver's new traces too.
/// </remarks>
/// <param name="inner">Decides about new traces that are not DataWeaver batches already kept by the engine.</param>
public sealed class DataWeaverSampler(Sampler inner) : Sampler
{
    private static readonly SamplingResult Keep = new(SamplingDecision.RecordAndSample);

    private readonly Sampler _inner = inner ?? throw new ArgumentNullException(nameof(inner));

    /// <summary>Keeps a DataWeaver batch span when the engine sampled it; otherwise asks the inner sampler.</summary>
    /// <param name="samplingParameters">The span about to start.</param>
    /// <returns>The decision.</returns>
    public override SamplingResult ShouldSample(in SamplingParameters samplingParameters) =>
        samplingParameters.Name == DataWeaverActivitySource.BatchOperation && DataWeaverActivitySource.SampleRatio is not null
            ? Keep
            : _inner.ShouldSample(samplingParameters);
}
