using DataWeaver.Records;

namespace DataWeaver.Tracing.Internal;

/// <summary>
/// The engine's own head-sampling decision (<see cref="DataWeaverActivitySource.SampleRatio"/>), taken before any listener
/// is asked, so a batch that is not kept costs no <see cref="System.Diagnostics.Activity"/>: parent-based over a ratio, as
/// OpenTelemetry's <c>ParentBasedSampler(TraceIdRatioBasedSampler(ratio))</c> decides. Allocates nothing.
/// </summary>
internal sealed class HeadSampler
{
    private readonly long _bound;

    public HeadSampler(double ratio)
    {
        Ratio = ratio;
        _bound = ratio >= 1 ? long.MaxValue : (long)(ratio * long.MaxValue); // TraceIdRatioBasedSampler's bound
    }

    public double Ratio { get; }

    /// <summary>
    /// Whether a batch whose first record has <paramref name="headers"/> is traced: a valid upstream context decides by its
    /// sampled flag (so sampled traces stay whole); without one, a new trace is kept with probability <see cref="Ratio"/>.
    /// </summary>
    public bool Keeps(RecordHeaders? headers) => TraceContextHeaders.PeekSampled(headers) switch
    {
        TraceContextHeaders.SampledFlag.Sampled => true,
        TraceContextHeaders.SampledFlag.NotSampled => false,
        _ => _bound == long.MaxValue || (_bound > 0 && Random.Shared.NextInt64() < _bound),
    };
}
